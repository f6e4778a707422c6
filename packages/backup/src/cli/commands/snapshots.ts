import type { Command } from 'commander';
import { BlobDamaged } from '../../engine/blob-codec.js';
import { BackupError } from '../../errors.js';
import { diffTrees, walkTree } from '../../engine/tree-walk.js';
import { PackReader } from '../../engine/pack-reader.js';
import { TreeLoader } from '../../engine/tree-loader.js';
import { loadIndex } from '../../repository/index-store.js';
import type { Repository } from '../../repository/repository.js';
import { loadSnapshots, resolveSnapshot } from '../../repository/snapshot-store.js';
import type { TreeNode } from '../../repository/tree.js';
import { formatBytes, formatMode, formatTime } from '../format.js';
import { type CliContext, globalFlags, openRepository, outputFor } from '../session.js';

/** @throws BackupError repo.damaged when a directory listing cannot be read. */
async function withTrees<T>(repo: Repository, use: (trees: TreeLoader) => Promise<T>): Promise<T> {
  const { index } = await loadIndex(repo);
  const reader = new PackReader(repo);
  try {
    return await use(new TreeLoader(repo, index, reader));
  } catch (error) {
    if (!(error instanceof BlobDamaged)) throw error;
    throw new BackupError(
      'repo.damaged',
      `a directory listing of the snapshot cannot be read: ${error.message}; run "tresor-backup check"`,
    );
  } finally {
    await reader.close();
  }
}

function nodeFields(path: string, node: TreeNode) {
  return {
    path,
    kind: node.type,
    mode: node.mode,
    mtime: formatTime(node.mtimeNs),
    size: node.type === 'file' ? node.size : 0,
    ...(node.type === 'symlink' ? { target: node.target } : {}),
  };
}

function longLine(path: string, node: TreeNode): string {
  const size = node.type === 'file' ? formatBytes(node.size) : '';
  const link = node.type === 'symlink' ? ` -> ${node.target}` : '';
  return `${formatMode(node.type, node.mode)} ${String(node.uid).padStart(5)} ${String(node.gid).padStart(5)} ${size.padStart(10)}  ${formatTime(node.mtimeNs)}  ${path}${link}`;
}

export function registerSnapshotCommands(program: Command, context: CliContext): void {
  program
    .command('snapshots')
    .description('list the snapshots, oldest first')
    .action(async (_flags: object, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const repo = await openRepository(context, global);
      const { snapshots, problems } = await loadSnapshots(repo);
      for (const problem of problems) output.error(problem);
      if (snapshots.length === 0) output.text('No snapshots yet.');
      else {
        output.text(
          `${'ID'.padEnd(10)}${'Time'.padEnd(21)}${'Host'.padEnd(16)}${'Files'.padStart(8)}${'Size'.padStart(12)}  Paths`,
        );
      }
      for (const { id, snapshot } of snapshots) {
        const time = snapshot.time.replace('T', ' ').slice(0, 19);
        const status = snapshot.errors.length > 0 ? ' (partial)' : '';
        output.text(
          `${id.slice(0, 8).padEnd(10)}${time.padEnd(21)}${snapshot.hostname.slice(0, 15).padEnd(16)}${String(snapshot.summary.files).padStart(8)}${formatBytes(snapshot.summary.bytes).padStart(12)}  ${snapshot.paths.join(', ')}${status}`,
        );
      }
      output.event('snapshots', {
        snapshots: snapshots.map(({ id, snapshot }) => ({
          id,
          time: snapshot.time,
          hostname: snapshot.hostname,
          paths: snapshot.paths,
          files: snapshot.summary.files,
          bytes: snapshot.summary.bytes,
          partial: snapshot.errors.length > 0,
          ...(snapshot.parent === undefined ? {} : { parent: snapshot.parent }),
        })),
      });
    });

  program
    .command('ls')
    .description('list the files of a snapshot')
    .argument('<snapshot>', '"latest" or a snapshot id')
    .argument('[path]', 'list only this path and what is below it')
    .option('-l, --long', 'show mode, owner, size and mtime')
    .action(async (ref: string, path: string | undefined, flags: { long?: boolean }, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const repo = await openRepository(context, global);
      const record = await resolveSnapshot(repo, ref, (message) => {
        output.warn(message);
      });
      const prefix = path === undefined ? undefined : `/${path.replace(/^\/+|\/+$/g, '')}`;
      await withTrees(repo, async (trees) => {
        for await (const entry of walkTree(trees, record.snapshot.tree)) {
          if (
            prefix !== undefined &&
            prefix !== '/' &&
            entry.path !== prefix &&
            !entry.path.startsWith(`${prefix}/`)
          )
            continue;
          output.text(flags.long ? longLine(entry.path, entry.node) : entry.path);
          output.event('node', nodeFields(entry.path, entry.node));
        }
      });
    });

  program
    .command('diff')
    .description(
      'show what changed between two snapshots (+ added, - removed, M modified, T type changed, U metadata only)',
    )
    .argument('<from>', 'older snapshot ("latest" or id)')
    .argument('<to>', 'newer snapshot ("latest" or id)')
    .action(async (from: string, to: string, _flags: object, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const repo = await openRepository(context, global);
      const warn = (message: string) => {
        output.warn(message);
      };
      const a = await resolveSnapshot(repo, from, warn);
      const b = await resolveSnapshot(repo, to, warn);
      const counts = { added: 0, removed: 0, modified: 0, typeChanged: 0, metadata: 0 };
      await withTrees(repo, async (trees) => {
        for await (const change of diffTrees(trees, a.snapshot.tree, b.snapshot.tree)) {
          if (change.kind === '+') counts.added++;
          else if (change.kind === '-') counts.removed++;
          else if (change.kind === 'M') counts.modified++;
          else if (change.kind === 'T') counts.typeChanged++;
          else counts.metadata++;
          output.text(`${change.kind}  ${change.path}`);
          output.event('change', { change: change.kind, ...nodeFields(change.path, change.node) });
        }
      });
      output.text(
        `\n${counts.added} added, ${counts.removed} removed, ${counts.modified} modified, ${counts.typeChanged} changed type, ${counts.metadata} metadata only`,
      );
      output.event('summary', { command: 'diff', from: a.id, to: b.id, ...counts });
    });
}
