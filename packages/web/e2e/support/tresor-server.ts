import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { type ServerProcess, startServerProcess } from '../../../server/src/testing/server-process.js';

const WEB_DIST = fileURLToPath(new URL('../../dist', import.meta.url));

export interface TresorServer {
  /** `http://localhost:<port>`: a domain, as WebAuthn needs for its relying-party id. */
  readonly url: string;
  readonly process: ServerProcess;
  close(): Promise<void>;
}

/**
 * The real built server (`tresor serve`, exactly as `npm start` runs it) on a free port with a
 * fresh data directory, serving the built web app from packages/web/dist. The port is chosen up
 * front so that the server's public URL (its passkey relying party) is the address the browser
 * opens.
 */
export async function startTresorServer(): Promise<TresorServer> {
  const dataDir = await mkdtemp(join(tmpdir(), 'tresor-web-e2e-'));
  const port = await freePort();
  const url = `http://localhost:${port}`;
  const process = await startServerProcess({
    TRESOR_DATA_DIR: dataDir,
    TRESOR_WEB_DIR: WEB_DIST,
    HOST: '127.0.0.1',
    PORT: String(port),
    TRESOR_PUBLIC_URL: url,
  });
  return {
    url,
    process,
    async close() {
      await process.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

/** A port nobody listens on right now (the OS picks it; released again before the server binds). */
function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      probe.close(() => {
        resolve(port);
      });
    });
  });
}
