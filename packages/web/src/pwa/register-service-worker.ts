/** Registers the app-shell service worker in production builds (the dev server serves no worker). */
export function registerServiceWorker(): void {
  if (!import.meta.env.PROD || !('serviceWorker' in navigator)) return;
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/service-worker.js', { scope: '/' }).catch(() => {
      // Without a worker the app still works; it is just not installable or offline-capable.
    });
  });
}
