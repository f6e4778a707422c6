/** The worker threads this package starts, each an entry file next to this module. */
export type WorkerName = 'blob-worker' | 'stat-worker' | 'prefetch-worker' | 'scan-worker';

/**
 * How to start worker `name`. Built: `dist/engine/<name>.js` (or the bundle's copy next to its
 * chunks). From source (tests under tsx): the .ts file through tsx's loader, which worker threads
 * do not inherit from `--import tsx` on Node 20.
 */
export function workerEntry(name: WorkerName): { script: string | URL; eval: boolean } {
  if (import.meta.url.endsWith('.ts')) {
    const entry = new URL(`./${name}.ts`, import.meta.url).href;
    const tsx = import.meta.resolve('tsx/esm/api');
    return {
      script: `import(${JSON.stringify(tsx)}).then((m) => { m.register(); return import(${JSON.stringify(entry)}); });`,
      eval: true,
    };
  }
  return { script: new URL(`./${name}.js`, import.meta.url), eval: false };
}
