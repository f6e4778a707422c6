import { sep } from 'node:path';

/**
 * The path of entry `name` in directory `dir`, for a normalised absolute `dir` and a name as
 * `readdir` gives it (never empty, `.`, `..` or holding a separator): the same as `join`, without
 * normalising again. A walk joins once per entry (20,000 times in the benchmark).
 */
export function childPath(dir: string, name: string): string {
  return dir.endsWith(sep) ? dir + name : dir + sep + name;
}
