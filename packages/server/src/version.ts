import { readFileSync } from 'node:fs';

/** The server package's version, read from its package.json. */
export function readServerVersion(): string {
  const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
    version: string;
  };
  return pkg.version;
}
