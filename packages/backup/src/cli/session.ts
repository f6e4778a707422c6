import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { type Command, InvalidArgumentError } from 'commander';
import { CloudClient } from '../cloud/cloud-client.js';
import { defaultCacheRoot } from '../cloud/cloud-cache.js';
import {
  type CloudAccess,
  type CloudRepository,
  openCloudRepository,
  openLocal,
} from '../cloud/smart-restore.js';
import { DEFAULT_KDF, type KdfParams, MIN_KDF } from '../crypto/key-slot.js';
import { BackupError } from '../errors.js';
import { readRepositoryConfig } from '../repository/config.js';
import { Repository } from '../repository/repository.js';
import type { CliEnvironment } from './environment.js';
import { ExitCode } from './exit-codes.js';
import { Output } from './output.js';
import { type PassphraseSources, type Terminal, existingPassphrase } from './passphrase.js';

/** What every command gets: the environment (read once) and the process's streams. */
export interface CliContext {
  readonly env: CliEnvironment;
  readonly terminal: Terminal;
  readonly stdout: NodeJS.WriteStream;
  readonly stderr: NodeJS.WriteStream;
  exitCode: ExitCode;
}

export interface GlobalFlags {
  readonly repo?: string;
  readonly passphraseFile?: string;
  readonly json?: boolean;
  readonly quiet?: boolean;
  readonly workers?: number;
  readonly cloud?: string;
  readonly cloudTokenFile?: string;
  readonly cacheDir?: string;
}

export function globalFlags(command: Command): GlobalFlags {
  return command.optsWithGlobals<GlobalFlags>();
}

export function outputFor(context: CliContext, flags: GlobalFlags): Output {
  return new Output(flags.json === true, flags.quiet === true, context.stdout, context.stderr);
}

export function repoPath(context: CliContext, flags: GlobalFlags): string {
  const path = flags.repo ?? context.env.repo;
  if (path === undefined) {
    throw new BackupError('usage.invalid', 'no repository given: use --repo DIR or set TRESOR_BACKUP_REPO');
  }
  return resolve(path);
}

/** The repository directory when one is given (commands that can work from the cloud alone). */
export function optionalRepoPath(context: CliContext, flags: GlobalFlags): string | undefined {
  const path = flags.repo ?? context.env.repo;
  return path === undefined ? undefined : resolve(path);
}

/** The passphrase, asked (or read) once however often it is needed. */
export function passphraseOnce(context: CliContext, flags: GlobalFlags): () => Promise<string> {
  let answer: Promise<string> | undefined;
  return () => (answer ??= existingPassphrase(passphraseSources(context, flags), context.terminal));
}

/**
 * The cloud copy, when a server is configured (--cloud or TRESOR_BACKUP_CLOUD_URL). The token
 * comes from --cloud-token-file or TRESOR_BACKUP_CLOUD_TOKEN, never from the command line (it
 * would show in the process list).
 */
export function cloudAccess(context: CliContext, flags: GlobalFlags): CloudAccess | undefined {
  const url = flags.cloud ?? context.env.cloudUrl;
  if (url === undefined) return undefined;
  let token = context.env.cloudToken;
  if (flags.cloudTokenFile !== undefined) {
    try {
      token = readFileSync(flags.cloudTokenFile, 'utf8').split(/\r?\n/)[0]?.trim();
    } catch (error) {
      throw new BackupError(
        'usage.invalid',
        `cannot read the token file ${flags.cloudTokenFile}: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }
  if (token === undefined || token === '') {
    throw new BackupError(
      'usage.invalid',
      'no backup token: use --cloud-token-file FILE or set TRESOR_BACKUP_CLOUD_TOKEN (a primary user creates one in Tresor)',
    );
  }
  const client = new CloudClient({
    url,
    token,
    warn: (message) => {
      outputFor(context, flags).warn(message);
    },
  });
  return { client, cacheRoot: defaultCacheRoot(client.url, resolve(flags.cacheDir ?? context.env.cache)) };
}

/** Like {@link cloudAccess}, for commands that need the cloud. */
export function requiredCloud(context: CliContext, flags: GlobalFlags): CloudAccess {
  const cloud = cloudAccess(context, flags);
  if (cloud === undefined) {
    throw new BackupError(
      'usage.invalid',
      "no cloud given: use --cloud URL (the practice's Tresor server) or set TRESOR_BACKUP_CLOUD_URL",
    );
  }
  return cloud;
}

/**
 * The cloud copy as a repository: its metadata mirrored into the cache, packs read from the local
 * repository where it has them (unless `localPacks` is false), else fetched from the cloud.
 */
export async function openCloudCopy(
  context: CliContext,
  flags: GlobalFlags,
  options: { readonly localPacks?: boolean; readonly refetchMetadata?: boolean } = {},
  cloud: CloudAccess = requiredCloud(context, flags),
): Promise<CloudCopy> {
  const passphrase = passphraseOnce(context, flags);
  const local = await openLocal(optionalRepoPath(context, flags), passphrase, true);
  return { cloud, ...(await openCloudRepository(cloud, local, passphrase, options)) };
}

export type CloudCopy = CloudRepository & { readonly cloud: CloudAccess };

/**
 * Runs `work` on the cloud copy while holding the server's retention lock (so it may delete):
 * the lock is taken before the copy is read, so no snapshot stored meanwhile can need what
 * `work` deletes. Needs a retention token.
 */
export async function withCloudRetention<T>(
  context: CliContext,
  flags: GlobalFlags,
  work: (copy: CloudCopy) => Promise<T>,
  options: { readonly refetchMetadata?: boolean } = {},
): Promise<T> {
  const cloud = requiredCloud(context, flags);
  return cloud.client.whileRetentionLocked(async () =>
    work(await openCloudCopy(context, flags, options, cloud)),
  );
}

export function passphraseSources(context: CliContext, flags: GlobalFlags): PassphraseSources {
  return {
    file: flags.passphraseFile,
    env: context.env.passphrase,
    envName: 'TRESOR_BACKUP_PASSPHRASE',
    fileOption: '--passphrase-file',
  };
}

/** Opens the repository: format version first (a newer one is refused before any prompt), then the passphrase. */
export async function openRepository(context: CliContext, flags: GlobalFlags): Promise<Repository> {
  const root = repoPath(context, flags);
  await readRepositoryConfig(root);
  const passphrase = await existingPassphrase(passphraseSources(context, flags), context.terminal);
  return Repository.open(root, passphrase);
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidArgumentError('expected a positive whole number');
  return n;
}

export interface KdfFlags {
  readonly kdfMemory?: number;
  readonly kdfIterations?: number;
}

export const KDF_MEMORY_HELP = `Argon2id memory in MiB (default ${DEFAULT_KDF.memoryKiB / 1024}, minimum ${MIN_KDF.memoryKiB / 1024}; lower only for tests)`;
export const KDF_ITERATIONS_HELP = `Argon2id passes (default ${DEFAULT_KDF.iterations})`;

export function kdfFrom(flags: KdfFlags): KdfParams {
  const params = {
    memoryKiB: (flags.kdfMemory ?? DEFAULT_KDF.memoryKiB / 1024) * 1024,
    iterations: flags.kdfIterations ?? DEFAULT_KDF.iterations,
    parallelism: DEFAULT_KDF.parallelism,
  };
  if (params.memoryKiB < MIN_KDF.memoryKiB || params.memoryKiB > 4 * 1024 * 1024 || params.iterations > 100) {
    throw new BackupError(
      'usage.invalid',
      `--kdf-memory must be ${MIN_KDF.memoryKiB / 1024}..4096 MiB and --kdf-iterations 1..100`,
    );
  }
  return params;
}

/** Marks the run as partial (exit code 3) unless it already failed. */
export function markPartial(context: CliContext): void {
  if (context.exitCode === ExitCode.ok) context.exitCode = ExitCode.partial;
}
