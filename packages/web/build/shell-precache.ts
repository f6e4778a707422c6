import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import type { Plugin } from 'vite';

/** A whole string literal (the minifier may write it with any quote). */
const FILES_PLACEHOLDER = /([`'"])__TRESOR_SHELL_FILES__\1/g;
/** Inside a string literal, which the minifier may have merged with its neighbours. */
const VERSION_PLACEHOLDER = /__TRESOR_SHELL_VERSION__/g;

/**
 * Writes the list of the built app's files (and a version derived from it) into the service
 * worker, so it precaches exactly this build's shell and drops older caches on update.
 */
export function shellPrecache(options: { workerFileName: string; publicDir: string }): Plugin {
  return {
    name: 'tresor-shell-precache',
    apply: 'build',
    generateBundle(_options, bundle) {
      const built = Object.keys(bundle).filter(
        (fileName) => fileName !== options.workerFileName && !fileName.endsWith('.map'),
      );
      const publicFiles = readdirSync(options.publicDir, { withFileTypes: true })
        .filter((entry) => entry.isFile())
        .map((entry) => entry.name);
      const files = [
        '/',
        ...[...built, ...publicFiles].filter((name) => name !== 'index.html').map((name) => `/${name}`),
      ].sort();
      const version = createHash('sha256').update(JSON.stringify(files)).digest('hex').slice(0, 16);
      const worker = bundle[options.workerFileName];
      if (worker?.type !== 'chunk')
        throw new Error(`service worker ${options.workerFileName} not in the bundle`);
      const code = worker.code
        .replace(FILES_PLACEHOLDER, JSON.stringify(files))
        .replace(VERSION_PLACEHOLDER, version);
      if (code === worker.code || code.includes('__TRESOR_SHELL_')) {
        throw new Error('service worker placeholders were not replaced');
      }
      worker.code = code;
    },
  };
}
