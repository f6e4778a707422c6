/**
 * The service worker: makes Tresor installable and opens the app shell offline. It caches only
 * the files of the built app (HTML, scripts, styles, icons), listed at build time, and nothing it
 * sees at run time: API answers, which carry ciphertext and session data, are never intercepted
 * or cached, and decrypted data only ever exists in the page's memory.
 */

// The build (vite.config.ts, shellPrecache) replaces these two placeholders.
const SHELL_FILES = '__TRESOR_SHELL_FILES__' as unknown as readonly string[];
const SHELL_VERSION = '__TRESOR_SHELL_VERSION__';

const CACHE_PREFIX = 'tresor-shell-';
const CACHE_NAME = `${CACHE_PREFIX}${SHELL_VERSION}`;
/** Paths the app shell never answers for: the server's API and operational endpoints. */
const SERVER_PATHS = ['/api/', '/healthz', '/readyz', '/metrics', '/_matrix/'];

// Minimal typings of the service-worker scope (the app's tsconfig uses the DOM library).
interface ShellLifecycleEvent extends Event {
  waitUntil(promise: Promise<unknown>): void;
}
interface ShellFetchEvent extends ShellLifecycleEvent {
  readonly request: Request;
  respondWith(response: Promise<Response>): void;
}
interface ShellWorkerScope {
  readonly location: Location;
  readonly clients: { claim(): Promise<void> };
  skipWaiting(): Promise<void>;
  addEventListener(type: 'install' | 'activate', listener: (event: ShellLifecycleEvent) => void): void;
  addEventListener(type: 'fetch', listener: (event: ShellFetchEvent) => void): void;
}

const worker = self as unknown as ShellWorkerScope;
const shellPaths = new Set(SHELL_FILES);

worker.addEventListener('install', (event) => {
  event.waitUntil(
    (async () => {
      const cache = await caches.open(CACHE_NAME);
      await cache.addAll([...SHELL_FILES]);
      await worker.skipWaiting();
    })(),
  );
});

worker.addEventListener('activate', (event) => {
  event.waitUntil(
    (async () => {
      for (const name of await caches.keys()) {
        if (name.startsWith(CACHE_PREFIX) && name !== CACHE_NAME) await caches.delete(name);
      }
      await worker.clients.claim();
    })(),
  );
});

worker.addEventListener('fetch', (event) => {
  const { request } = event;
  const url = new URL(request.url);
  if (request.method !== 'GET' || url.origin !== worker.location.origin) return;
  if (SERVER_PATHS.some((prefix) => url.pathname.startsWith(prefix))) return;
  if (request.mode === 'navigate') {
    // Pages: the network first (fresh app after an update), the cached shell when offline.
    event.respondWith(fetch(request).catch(() => cachedOrError('/')));
    return;
  }
  if (shellPaths.has(url.pathname)) {
    event.respondWith(cachedOrFetch(request, url.pathname));
  }
});

async function cachedOrFetch(request: Request, path: string): Promise<Response> {
  const cached = await caches.match(path, { cacheName: CACHE_NAME });
  return cached ?? fetch(request);
}

async function cachedOrError(path: string): Promise<Response> {
  return (await caches.match(path, { cacheName: CACHE_NAME })) ?? Response.error();
}
