import { createHash, randomBytes } from 'node:crypto';
import { access, mkdir, readFile, readdir, stat, unlink } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { DecryptionFailed } from '../crypto/aead.js';
import {
  DEFAULT_KDF,
  type KdfParams,
  type KeySlotFile,
  type SlotLabel,
  createKeySlot,
  openKeySlot,
  parseKeySlot,
} from '../crypto/key-slot.js';
import {
  type MasterKey,
  type RepositoryKeys,
  deriveRepositoryKeys,
  generateMasterKey,
} from '../crypto/keys.js';
import { BackupError, errnoCode } from '../errors.js';
import { CONFIG_FORMAT_NAME, FORMAT_VERSION } from '../format.js';
import { fsyncDirectory, writeFileAtomic } from './atomic-file.js';
import { type RepositoryConfig, encodeConfig, readRepositoryConfig } from './config.js';
import { openFile, sealFile } from './file-envelope.js';
import { type FileKind, REPOSITORY_DIRECTORIES, isHexId, layout } from './layout.js';

/**
 * A repository file that exists but does not decrypt, parse or match its name. Names the file
 * (`kind`, `id`), so callers tell which one it is without reading the message.
 */
export class DamagedFileError extends Error {
  override readonly name = 'DamagedFileError';

  constructor(
    readonly kind: FileKind,
    readonly id: string,
    message: string,
    options?: ErrorOptions,
  ) {
    super(message, options);
  }
}

/**
 * Somewhere else a pack of this repository may be found when its own `data/` lacks it (smart
 * restore: the local repository next to a cloud cache, or the cloud itself).
 */
export interface PackSource {
  /** A path to a complete, verified copy of the pack, or undefined when this source lacks it. */
  locate(packId: string): Promise<string | undefined>;
  /** True when `locate` has to download the pack first (the cloud). */
  readonly remote?: boolean;
}

export interface KeySlotInfo {
  readonly id: string;
  readonly slot: KeySlotFile;
}

export function currentLabel(): SlotLabel {
  let username = '';
  try {
    username = userInfo().username;
  } catch {
    // No passwd entry (containers): leave it empty.
  }
  return { createdAt: new Date().toISOString(), hostname: hostname(), username };
}

const sha256Hex = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** An open repository: config read, passphrase checked, keys derived. */
export class Repository {
  private readonly packSources: PackSource[] = [];
  private readonly located = new Map<string, string>();

  private constructor(
    readonly root: string,
    readonly config: RepositoryConfig,
    private readonly master: MasterKey,
    readonly keys: RepositoryKeys,
    /** The key slot the passphrase opened. */
    readonly slotId: string,
  ) {}

  /**
   * Creates a repository in `root` (which must not exist or be empty) with one key slot.
   * The passphrase cannot be recovered: without it (or another slot's) the data is lost.
   */
  static async init(root: string, passphrase: string, kdf: KdfParams = DEFAULT_KDF): Promise<Repository> {
    let existing: string[] = [];
    try {
      existing = await readdir(root);
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    if (existing.includes('config')) {
      throw new BackupError('repo.already_exists', `there is already a repository at ${root}`);
    }
    if (existing.length > 0) {
      throw new BackupError(
        'repo.already_exists',
        `${root} exists and is not empty; choose a new or empty directory`,
      );
    }
    await mkdir(root, { recursive: true });
    for (const dir of REPOSITORY_DIRECTORIES) await mkdir(`${root}/${dir}`, { recursive: true });
    const config: RepositoryConfig = {
      format: CONFIG_FORMAT_NAME,
      version: FORMAT_VERSION,
      id: randomBytes(16).toString('hex'),
      createdAt: new Date().toISOString(),
    };
    const master = generateMasterKey();
    const slotId = await writeKeySlot(
      root,
      await createKeySlot(master, passphrase, config.id, kdf, currentLabel()),
    );
    // The config is written last: a directory with a config is a complete repository.
    await writeFileAtomic(root, layout.config(root), encodeConfig(config));
    await fsyncDirectory(root);
    return new Repository(root, config, master, deriveRepositoryKeys(master, config.id), slotId);
  }

  /**
   * Opens the repository in `root` with `passphrase`. Reads only; writes nothing.
   * @throws BackupError repo.not_found | repo.invalid | repo.newer_format | key.wrong_passphrase
   */
  static async open(root: string, passphrase: string): Promise<Repository> {
    const config = await readRepositoryConfig(root);
    const { slots, newer } = await readKeySlots(root);
    if (slots.length === 0 && newer.length === 0) {
      throw new BackupError(
        'repo.invalid',
        `${root} has no usable key slot; the repository cannot be opened`,
      );
    }
    // Cheapest first: the cloud copy's keys/ takes any object an agent token stores, so a planted
    // slot with absurd Argon2id settings (GiBs, 100 passes) is tried only after the genuine ones,
    // and one that cannot even be tried (it fails in the KDF) does not stop the others.
    const failures: string[] = [];
    for (const { id, slot } of [...slots].sort((a, b) => slotCost(a) - slotCost(b))) {
      let master: MasterKey | undefined;
      try {
        master = await openKeySlot(slot, passphrase, config.id);
      } catch (error) {
        failures.push(`${id}: ${error instanceof Error ? error.message : String(error)}`);
        continue;
      }
      if (master) return new Repository(root, config, master, deriveRepositoryKeys(master, config.id), id);
    }
    if (newer.length > 0) {
      throw new BackupError(
        'repo.newer_format',
        `none of the ${slots.length} key slot(s) of ${root} this version reads opens with the passphrase, ` +
          `and ${newer.length} are of a newer format (${newer.join('; ')}); update tresor-backup`,
      );
    }
    throw new BackupError(
      'key.wrong_passphrase',
      `wrong passphrase: none of the ${slots.length} key slot(s) of ${root} opens with it (nothing was changed)` +
        (failures.length > 0 ? `; could not be tried: ${failures.join('; ')}` : ''),
    );
  }

  /**
   * Opens another directory that holds the same repository (a cloud cache) with the keys of
   * this one, without asking for the passphrase again.
   * @throws BackupError repo.invalid when `root` holds another repository.
   */
  async openSibling(root: string): Promise<Repository> {
    const config = await readRepositoryConfig(root);
    if (config.id !== this.config.id) {
      throw new BackupError('repo.invalid', `${root} holds repository ${config.id}, not ${this.config.id}`);
    }
    return new Repository(root, config, this.master, this.keys, this.slotId);
  }

  // ── key slots ──────────────────────────────────────────────────────────────

  async listKeySlots(): Promise<KeySlotInfo[]> {
    return listKeySlots(this.root);
  }

  /** Adds a slot for `passphrase`. @returns the new slot id. */
  async addKeySlot(passphrase: string, kdf: KdfParams = DEFAULT_KDF): Promise<string> {
    return writeKeySlot(
      this.root,
      await createKeySlot(this.master, passphrase, this.config.id, kdf, currentLabel()),
    );
  }

  /** Removes a slot, never the last one. */
  async removeKeySlot(slotId: string): Promise<void> {
    const slots = await this.listKeySlots();
    if (!slots.some((slot) => slot.id === slotId))
      throw new BackupError('usage.invalid', `no key slot ${slotId}`);
    if (slots.length <= 1) throw new BackupError('key.last_slot', 'refusing to remove the last key slot');
    await unlink(layout.key(this.root, slotId));
    await fsyncDirectory(layout.keysDir(this.root));
  }

  // ── encrypted files (index, snapshots) ─────────────────────────────────────

  async listFiles(kind: FileKind): Promise<string[]> {
    const names = await readdir(layout.dir(this.root, kind));
    return names.filter(isHexId).sort();
  }

  /** Writes a sealed file named by the SHA-256 of its bytes. @returns its id. */
  async writeFile(kind: FileKind, plaintext: Uint8Array): Promise<string> {
    const sealed = sealFile(this.keys.encryption, kind, plaintext);
    const id = sha256Hex(sealed);
    await writeFileAtomic(this.root, layout.file(this.root, kind, id), sealed);
    return id;
  }

  /**
   * @throws DamagedFileError if the file does not match its name or does not decrypt, or the disk
   * cannot read it (EIO) or holds a directory in its place (EISDIR): others are still read.
   */
  async readFile(kind: FileKind, id: string): Promise<Uint8Array> {
    let bytes: Uint8Array;
    try {
      bytes = await readFile(layout.file(this.root, kind, id));
    } catch (error) {
      const code = errnoCode(error);
      if (code !== 'EIO' && code !== 'EISDIR') throw error;
      throw new DamagedFileError(kind, id, `${kind} file ${id} cannot be read (${code})`, { cause: error });
    }
    if (sha256Hex(bytes) !== id)
      throw new DamagedFileError(kind, id, `${kind} file ${id} does not match its name`);
    try {
      return openFile(this.keys.encryption, kind, bytes);
    } catch (error) {
      if (error instanceof DecryptionFailed)
        throw new DamagedFileError(kind, id, `${kind} file ${id} does not decrypt`);
      throw error;
    }
  }

  // ── packs ──────────────────────────────────────────────────────────────────

  packPath(packId: string): string {
    return layout.pack(this.root, packId);
  }

  /** Consulted, in the order added, for packs this repository's own `data/` lacks. */
  addPackSource(source: PackSource): void {
    this.packSources.push(source);
    this.located.clear(); // own paths located before may now be found elsewhere
  }

  /** A path to read the pack from: its own file, else the first pack source that has it. */
  async locatePack(packId: string): Promise<string> {
    const known = this.located.get(packId);
    if (known !== undefined) return known;
    const own = this.packPath(packId);
    let found: string | undefined = own;
    if (this.packSources.length > 0) {
      try {
        await access(own);
      } catch (error) {
        if (errnoCode(error) !== 'ENOENT') throw error;
        found = undefined;
        for (const source of this.packSources) {
          found = await source.locate(packId);
          if (found !== undefined) break;
        }
      }
    }
    if (found === undefined) return own; // opening it reports the missing pack as before
    this.located.set(packId, found);
    return found;
  }

  /** Whether the pack can be read without a download: its own file, or a local pack source's. */
  async packAtHand(packId: string): Promise<boolean> {
    try {
      await access(this.packPath(packId));
      return true;
    } catch (error) {
      if (errnoCode(error) !== 'ENOENT') throw error;
    }
    for (const source of this.packSources) {
      if (source.remote !== true && (await source.locate(packId)) !== undefined) return true;
    }
    return false;
  }

  /** Every pack file present, by id (its directories are read at once; nothing is stat'ed). */
  async listPackIds(): Promise<string[]> {
    const dataDir = layout.dataDir(this.root);
    const prefixes = (await readdir(dataDir)).filter((prefix) => /^[0-9a-f]{2}$/.test(prefix));
    const lists = await Promise.all(
      prefixes.map(async (prefix) =>
        (await readdir(`${dataDir}/${prefix}`)).filter((name) => isHexId(name) && name.startsWith(prefix)),
      ),
    );
    return lists.flat();
  }

  /** Every pack file present, with its size. */
  async listPacks(): Promise<Map<string, number>> {
    const ids = await this.listPackIds();
    const sizes = await Promise.all(ids.map(async (id) => (await stat(this.packPath(id))).size));
    return new Map(ids.map((id, i) => [id, sizes[i]!]));
  }
}

/** The KDF work a slot asks for (memory × passes), to try cheap slots first. */
function slotCost({ slot }: KeySlotInfo): number {
  return slot.kdf.memoryKiB * slot.kdf.iterations;
}

/** The slots this version can read; those of a newer format by name and why (not tried). */
async function readKeySlots(root: string): Promise<{ slots: KeySlotInfo[]; newer: string[] }> {
  const slots: KeySlotInfo[] = [];
  const newer: string[] = [];
  let names: string[];
  try {
    names = await readdir(layout.keysDir(root));
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') return { slots, newer };
    throw error;
  }
  for (const name of names.sort()) {
    if (!/^[0-9a-f]{32}$/.test(name)) continue;
    let parsed: ReturnType<typeof parseKeySlot>;
    try {
      parsed = parseKeySlot(JSON.parse(await readFile(layout.key(root, name), 'utf8')));
    } catch {
      continue;
    }
    if ('invalid' in parsed) {
      if (parsed.invalid.includes('newer')) newer.push(`key slot ${name}: ${parsed.invalid}`);
      continue;
    }
    slots.push({ id: name, slot: parsed });
  }
  return { slots, newer };
}

/** The slots this version can read (a slot of a newer format is left out). */
async function listKeySlots(root: string): Promise<KeySlotInfo[]> {
  return (await readKeySlots(root)).slots;
}

async function writeKeySlot(root: string, slot: KeySlotFile): Promise<string> {
  const id = randomBytes(16).toString('hex');
  await writeFileAtomic(root, layout.key(root, id), Buffer.from(`${JSON.stringify(slot, null, 2)}\n`));
  return id;
}
