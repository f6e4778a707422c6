import { constants } from 'node:fs';
import { access, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { StartupError } from '../startup-error.js';

export interface DataDirLock {
  release(): Promise<void>;
}

/**
 * Claims the data directory for this process with `<dataDir>/tresor.pid`, created exclusively.
 * A second server on the same directory is refused while the first lives; a lock left by a
 * process that no longer exists (kill -9, power loss) is taken over.
 */
export async function lockDataDir(dataDir: string): Promise<DataDirLock> {
  try {
    await mkdir(dataDir, { recursive: true });
    await access(dataDir, constants.W_OK);
  } catch (error) {
    throw new StartupError(
      'data_dir.not_writable',
      `data directory ${dataDir} is not writable (${(error as NodeJS.ErrnoException).code ?? 'error'}); set TRESOR_DATA_DIR to a writable directory`,
    );
  }
  const lockPath = join(dataDir, 'tresor.pid');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const handle = await open(lockPath, 'wx', 0o600);
      await handle.writeFile(`${process.pid}\n`);
      await handle.sync();
      await handle.close();
      return {
        async release() {
          await unlink(lockPath).catch(() => undefined);
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number.parseInt(await readFile(lockPath, 'utf8').catch(() => ''), 10);
    if (Number.isInteger(holder) && holder !== process.pid && isAlive(holder)) {
      throw new StartupError(
        'data_dir.in_use',
        `data directory ${dataDir} is in use by another Tresor server (pid ${holder}); stop it first or choose another TRESOR_DATA_DIR`,
      );
    }
    await unlink(lockPath).catch(() => undefined);
  }
  throw new StartupError('data_dir.in_use', `data directory ${dataDir} is in use (lock file ${lockPath})`);
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
