import { readFile, readdir } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { errnoCode } from '../errors.js';
import { type Manifest, parseManifest } from './manifest.js';

/** Where installed products put their manifests unless --manifests or TRESOR_BACKUP_MANIFESTS say otherwise. */
export const DEFAULT_MANIFEST_DIRS = ['/etc/tresor-backup/manifests.d', '/usr/share/tresor-backup/manifests'];

export interface FoundManifest {
  readonly file: string;
  readonly manifest: Manifest;
}

/** A manifest that was skipped, with the position of each problem (line 0: the file as a whole). */
export interface RejectedManifest {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly message: string;
}

export interface ManifestScan {
  readonly manifests: readonly FoundManifest[];
  readonly rejected: readonly RejectedManifest[];
  /** Directories that do not exist (not an error: a product may simply not be installed). */
  readonly missingDirs: readonly string[];
}

/**
 * Reads every `*.xml` file directly in `dirs`, in name order. Invalid files are returned in
 * `rejected` with file and line; two manifests with the same product id reject the later one.
 */
export async function scanManifestDirs(dirs: readonly string[]): Promise<ManifestScan> {
  const manifests: FoundManifest[] = [];
  const rejected: RejectedManifest[] = [];
  const missingDirs: string[] = [];
  const seen = new Map<string, string>();
  for (const dir of [...new Set(dirs.map((d) => resolve(d)))]) {
    let names: string[];
    try {
      names = (await readdir(dir)).filter((name) => name.endsWith('.xml')).sort();
    } catch (error) {
      const code = errnoCode(error);
      if (code === 'ENOENT') {
        missingDirs.push(dir);
        continue;
      }
      rejected.push({
        file: dir,
        line: 0,
        column: 0,
        message: `cannot read the directory (${code ?? String(error)})`,
      });
      continue;
    }
    for (const name of names) {
      const file = join(dir, name);
      let text: string;
      try {
        text = await readFile(file, 'utf8');
      } catch (error) {
        rejected.push({
          file,
          line: 0,
          column: 0,
          message: `cannot be read (${errnoCode(error) ?? String(error)})`,
        });
        continue;
      }
      const result = parseManifest(text, file);
      if ('problems' in result) {
        for (const problem of result.problems) rejected.push({ file, ...problem });
        continue;
      }
      const earlier = seen.get(result.manifest.id);
      if (earlier !== undefined) {
        rejected.push({
          file,
          line: 0,
          column: 0,
          message: `product id "${result.manifest.id}" is already described by ${earlier}`,
        });
        continue;
      }
      seen.set(result.manifest.id, file);
      manifests.push({ file, manifest: result.manifest });
    }
  }
  return { manifests, rejected, missingDirs };
}
