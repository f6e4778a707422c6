import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { launchChromium } from './support/browser.js';
import { collectPageErrors } from './support/page-errors.js';
import { startTresorServer, type TresorServer } from './support/tresor-server.js';

/** Installability and the service worker's promise: it caches the app shell and nothing else. */
describe('installable app shell (PWA) in Chromium', { timeout: 120_000 }, () => {
  let server: TresorServer;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let errors: string[];

  before(async () => {
    [server, browser] = await Promise.all([startTresorServer(), launchChromium()]);
    context = await browser.newContext({ locale: 'de-DE' });
    errors = collectPageErrors(context);
    page = await context.newPage();
  });

  after(async () => {
    await context.close();
    await browser.close();
    await server.close();
  });

  it('serves the manifest and a strict CSP', async () => {
    const start = await page.goto(server.url);
    const csp = start?.headers()['content-security-policy'] ?? '';
    assert.match(csp, /script-src 'self' 'wasm-unsafe-eval'/);
    assert.doesNotMatch(csp, /unsafe-inline|'unsafe-eval'/);
    const href = await page.locator('link[rel="manifest"]').getAttribute('href');
    assert.equal(href, '/manifest.webmanifest');
    const manifest = await page.request.get(`${server.url}/manifest.webmanifest`);
    assert.equal(manifest.status(), 200);
    const body = (await manifest.json()) as { short_name?: string; start_url?: string; display?: string };
    assert.equal(body.short_name, 'Tresor');
    assert.equal(body.start_url, '/');
    assert.equal(body.display, 'standalone');
  });

  it('registers the service worker, which caches only the app shell, never API answers', async () => {
    const scope = await page.evaluate(async () => (await navigator.serviceWorker.ready).scope);
    assert.equal(scope, `${server.url}/`);
    // Controlled by the worker now: the start page calls /healthz, /readyz and /api/v1/info again.
    await page.reload();
    await page.getByText('Betriebsbereit').waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => navigator.serviceWorker.controller !== null), true);
    const cached = await page.evaluate(async () => {
      const urls: string[] = [];
      for (const name of await caches.keys()) {
        const cache = await caches.open(name);
        for (const request of await cache.keys()) urls.push(new URL(request.url).pathname);
      }
      return urls.sort();
    });
    assert.ok(cached.includes('/'), `the shell is cached: ${cached.join(', ')}`);
    assert.ok(cached.some((path) => /^\/assets\/index-.+\.js$/.test(path)));
    for (const path of cached) {
      assert.match(path, /^\/($|assets\/|favicon\.svg$|manifest\.webmanifest$)/, `only shell files: ${path}`);
    }
  });

  it('opens the shell offline, and switches to English', async () => {
    await context.setOffline(true);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Zero-Knowledge-Plattform für Arztpraxen' }).waitFor();
    await context.setOffline(false);
    await page.getByRole('button', { name: 'English' }).click();
    await page
      .getByRole('heading', { level: 1, name: 'Zero-knowledge platform for medical practices' })
      .waitFor();
    assert.equal(await page.evaluate(() => document.documentElement.lang), 'en');
  });

  it('ran without script errors or CSP violations', () => {
    assert.deepEqual(errors, []);
  });
});
