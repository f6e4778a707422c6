import { randomUUID } from 'node:crypto';
import { CloudClient, sha256Hex } from '../cloud/cloud-client.js';

export interface Stored {
  readonly kind: string;
  readonly name: string;
  readonly bytes: Uint8Array;
  readonly lockedUntil: string;
}

const PAST = '2026-01-01T00:00:00.000Z';

/**
 * The server's `backup-repo` API in memory, as far as replicate and cloud retention use it:
 * objects stored once (under any name, as the real server), past their lock period unless
 * `lockNew` is set, deleted only under the retention lock.
 */
export class FakeCloudServer {
  readonly objects = new Map<string, Stored>();
  private lock: { id: string; token: string } | undefined;
  /** Objects stored from now on are in their lock period (those stored before are past it). */
  lockNew = false;
  /** Called before a store is recorded (tests run a cloud retention there). */
  beforePut: ((kind: string, name: string) => Promise<void>) | undefined;
  /** kind/name of every store, in order. */
  readonly puts: string[] = [];
  /** The hash recorded when each object was stored, for objects damaged since ({@link rot}). */
  private readonly recorded = new Map<string, string>();

  /**
   * Flips a byte of a stored object as a failing disk would: the server still lists and sends
   * the hash it recorded when the object was stored.
   */
  rot(kind: string, name: string, at = 30): void {
    const key = `${kind}/${name}`;
    const stored = this.objects.get(key);
    if (stored === undefined) throw new Error(`no object ${key}`);
    if (!this.recorded.has(key)) this.recorded.set(key, sha256Hex(stored.bytes));
    stored.bytes[at % stored.bytes.length]! ^= 0xff;
  }

  /** kind/name of the objects the server's integrity scrub found damaged ({@link scrub}). */
  private readonly flagged = new Set<string>();

  /** The server's integrity scrub: flags every object whose bytes no longer match its hash. */
  scrub(): void {
    for (const [key, stored] of this.objects)
      if (this.listedHash(stored) !== sha256Hex(stored.bytes)) this.flagged.add(key);
  }

  private listedHash({ kind, name, bytes }: Stored): string {
    return this.recorded.get(`${kind}/${name}`) ?? sha256Hex(bytes);
  }

  /** A client with `token`; `warn` gets what the client tells its user. */
  client(token: string, warn?: (message: string) => void): CloudClient {
    return new CloudClient({
      url: 'https://tresor.test',
      token,
      fetch: this.fetchAs(token),
      attempts: 1,
      ...(warn === undefined ? {} : { warn }),
    });
  }

  private fetchAs(token: string): typeof fetch {
    const view = (stored: Stored) => ({
      kind: stored.kind,
      name: stored.name,
      size: stored.bytes.length,
      sha256: this.listedHash(stored),
      createdAt: PAST,
      lockedUntil: stored.lockedUntil,
      damaged: this.flagged.has(`${stored.kind}/${stored.name}`),
    });
    const error = (status: number, code: string) =>
      Response.json({ error: { code, message: code } }, { status });
    return (async (input: string, init: RequestInit = {}) => {
      const url = new URL(input);
      const method = init.method ?? 'GET';
      const path = url.pathname;
      if (path === '/api/v1/backup/objects') {
        const kind = url.searchParams.get('kind');
        const objects = [...this.objects.values()].filter((o) => kind === null || o.kind === kind);
        return Response.json({ objects: objects.map(view) });
      }
      if (path === '/api/v1/backup/forgotten-snapshots') return Response.json({ names: [] });
      if (path === '/api/v1/backup/retention-lock' && method === 'POST') {
        if (this.lock !== undefined) return error(409, 'backup.retention_running');
        this.lock = { id: randomUUID(), token };
        return Response.json({ id: this.lock.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
      }
      if (path.startsWith('/api/v1/backup/retention-lock/')) {
        if (method === 'DELETE') this.lock = undefined;
        return Response.json({ id: this.lock?.id, expiresAt: new Date(Date.now() + 600_000).toISOString() });
      }
      const match = /^\/api\/v1\/backup\/objects\/([a-z]+)\/([^/]+)$/.exec(path);
      if (match === null) return error(404, 'not_found');
      const kind = match[1]!;
      const name = decodeURIComponent(match[2]!);
      const key = `${kind}/${name}`;
      if (method === 'PUT') {
        if (this.lock !== undefined && this.lock.token !== token)
          return error(423, 'backup.retention_running');
        await this.beforePut?.(kind, name);
        const existing = this.objects.get(key);
        const bytes = new Uint8Array(init.body as Uint8Array);
        if (existing !== undefined && this.listedHash(existing) !== sha256Hex(bytes)) {
          return error(409, 'backup.object_exists');
        }
        const lockedUntil = this.lockNew ? new Date(Date.now() + 30 * 86_400_000).toISOString() : PAST;
        // As the real server's blob store: the same bytes again are written anew (heals rot).
        const stored = existing === undefined ? { kind, name, bytes, lockedUntil } : { ...existing, bytes };
        this.objects.set(key, stored);
        this.recorded.delete(key);
        this.flagged.delete(key);
        this.puts.push(key);
        return Response.json(view(stored));
      }
      const existing = this.objects.get(key);
      if (method === 'DELETE') {
        if (this.lock?.token !== token || url.searchParams.get('lock') !== this.lock.id) {
          return error(409, 'backup.retention_lock_required');
        }
        if (existing === undefined) return error(404, 'backup.object_not_found');
        if (Date.parse(existing.lockedUntil) > Date.now()) return error(409, 'backup.object_locked');
        this.objects.delete(key);
        this.recorded.delete(key);
        this.flagged.delete(key);
        return Response.json({ ok: true });
      }
      if (existing === undefined) return error(404, 'backup.object_not_found');
      const range = /^bytes=(\d+)-(\d+)$/.exec((init.headers as Record<string, string>).range ?? '');
      if (range !== null) {
        return new Response(existing.bytes.slice(Number(range[1]), Number(range[2]) + 1), { status: 206 });
      }
      return new Response(existing.bytes as Uint8Array<ArrayBuffer>, {
        headers: { 'x-content-sha256': this.listedHash(existing) },
      });
    }) as typeof fetch;
  }
}
