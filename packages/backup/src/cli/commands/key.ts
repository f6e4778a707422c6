import type { Command } from 'commander';
import { BackupError } from '../../errors.js';
import type { Repository } from '../../repository/repository.js';
import type { Output } from '../output.js';
import { newPassphrase } from '../passphrase.js';
import {
  type CliContext,
  KDF_ITERATIONS_HELP,
  KDF_MEMORY_HELP,
  type KdfFlags,
  cloudAccess,
  globalFlags,
  kdfFrom,
  openCloudCopy,
  withCloudRetention,
  openRepository,
  outputFor,
  positiveInteger,
} from '../session.js';

interface NewKeyFlags extends KdfFlags {
  readonly newPassphraseFile?: string;
}

function newPassphraseFor(
  context: CliContext,
  flags: NewKeyFlags,
  warn: (m: string) => void,
): Promise<string> {
  return newPassphrase(
    {
      file: flags.newPassphraseFile,
      env: context.env.newPassphrase,
      envName: 'TRESOR_BACKUP_NEW_PASSPHRASE',
      fileOption: '--new-passphrase-file',
    },
    context.terminal,
    warn,
  );
}

function withNewKeyOptions(command: Command): Command {
  return command
    .option('--new-passphrase-file <file>', 'read the new passphrase from this file (first line)')
    .option('--kdf-memory <MiB>', KDF_MEMORY_HELP, positiveInteger)
    .option('--kdf-iterations <n>', KDF_ITERATIONS_HELP, positiveInteger);
}

export function registerKey(program: Command, context: CliContext): void {
  const key = program
    .command('key')
    .description('manage the key slots: each slot is a passphrase that opens the repository');

  key
    .command('list')
    .description('list the key slots')
    .option('--cloud-copy', CLOUD_KEYS_HELP)
    .action(async (flags: CloudFlag, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      const repo = flags.cloudCopy
        ? (await openCloudCopy(context, global)).repo
        : await openRepository(context, global);
      await listSlots(output, repo);
    });

  withNewKeyOptions(
    key.command('add').description('add a key slot for another passphrase (the current one keeps working)'),
  ).action(async (flags: NewKeyFlags, command: Command) => {
    const global = globalFlags(command);
    const output = outputFor(context, global);
    const repo = await openRepository(context, global);
    const kdf = kdfFrom(flags);
    const passphrase = await newPassphraseFor(context, flags, (m) => {
      output.warn(m);
    });
    const id = await repo.addKeySlot(passphrase, kdf);
    output.text(`Added key slot ${id}. Both passphrases open the repository now.`);
    output.event('summary', { command: 'key add', id });
  });

  withNewKeyOptions(
    key
      .command('passwd')
      .description('change the passphrase: adds a slot for the new one, then removes the current slot'),
  ).action(async (flags: NewKeyFlags, command: Command) => {
    const global = globalFlags(command);
    const output = outputFor(context, global);
    const repo = await openRepository(context, global);
    const kdf = kdfFrom(flags);
    const passphrase = await newPassphraseFor(context, flags, (m) => {
      output.warn(m);
    });
    // New slot durable first, then the old one goes: a crash in between leaves both working.
    const id = await repo.addKeySlot(passphrase, kdf);
    await repo.removeKeySlot(repo.slotId);
    output.text(
      `Changed the passphrase (key slot ${repo.slotId} replaced by ${id}). The old passphrase no longer works.`,
    );
    if (cloudAccess(context, global) !== undefined) {
      output.text(
        `The cloud copy still holds the old slot: after the next "replicate", remove it there with ` +
          `"tresor-backup key remove ${repo.slotId} --cloud-copy" and the retention token.`,
      );
    }
    output.event('summary', { command: 'key passwd', id, removed: repo.slotId });
  });

  key
    .command('remove')
    .description('remove a key slot (not the last one, not the one in use)')
    .argument('<id>', 'slot id as "key list" shows it')
    .option('--cloud-copy', `${CLOUD_KEYS_HELP}; deleting needs the retention token`)
    .addHelpText(
      'after',
      '\nAfter "key passwd", the cloud copy keeps the old slot (and so the old passphrase opens it)\n' +
        'until it is removed there: run "replicate" first (it uploads the new slot), then\n' +
        '"key remove <old id> --cloud-copy" with the retention token. Slots in the server\'s lock\n' +
        'period cannot be deleted yet.',
    )
    .action(async (id: string, flags: CloudFlag, command: Command) => {
      const global = globalFlags(command);
      const output = outputFor(context, global);
      if (!flags.cloudCopy) {
        const repo = await openRepository(context, global);
        refuseCurrentSlot(repo, id);
        await repo.removeKeySlot(id);
        output.text(`Removed key slot ${id}.`);
        output.event('summary', { command: 'key remove', id });
        return;
      }
      await withCloudRetention(context, global, async ({ cloud, repo }) => {
        refuseCurrentSlot(repo, id);
        if (!(await repo.listKeySlots()).some((slot) => slot.id === id)) {
          throw new BackupError('usage.invalid', `the cloud copy has no key slot ${id}`);
        }
        // The slot that opened the cloud copy stays, so the copy always keeps one slot that opens.
        if ((await cloud.client.delete('keys', id)) === 'locked') {
          throw new BackupError(
            'cloud.refused',
            `key slot ${id} is still in the server's lock period; nothing was deleted, try again later`,
          );
        }
        await repo.removeKeySlot(id);
      });
      output.text(`Removed key slot ${id} from the cloud copy.`);
      output.event('summary', { command: 'key remove', cloud: true, id });
    });
}

interface CloudFlag {
  readonly cloudCopy?: boolean;
}

const CLOUD_KEYS_HELP = "the cloud copy's key slots on the Tresor server instead of the local ones";

function refuseCurrentSlot(repo: Repository, id: string): void {
  if (id === repo.slotId) {
    throw new BackupError(
      'usage.invalid',
      'refusing to remove the slot you opened the repository with; use "key passwd"',
    );
  }
}

async function listSlots(output: Output, repo: Repository): Promise<void> {
  const slots = await repo.listKeySlots();
  for (const { id, slot } of slots) {
    const current = id === repo.slotId ? '*' : ' ';
    output.text(
      `${current} ${id}  ${slot.createdAt.slice(0, 19).replace('T', ' ')}  ${slot.username}@${slot.hostname}  argon2id ${slot.kdf.memoryKiB / 1024} MiB t=${slot.kdf.iterations}`,
    );
  }
  output.event('keys', {
    keys: slots.map(({ id, slot }) => ({
      id,
      current: id === repo.slotId,
      createdAt: slot.createdAt,
      hostname: slot.hostname,
      username: slot.username,
      kdf: {
        memoryKiB: slot.kdf.memoryKiB,
        iterations: slot.kdf.iterations,
        parallelism: slot.kdf.parallelism,
      },
    })),
  });
}
