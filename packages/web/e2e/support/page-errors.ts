import type { BrowserContext } from 'playwright-core';

/**
 * Collects script errors and console errors of every page in a context, e.g. CSP violations
 * ("Refused to …"), so a test can assert the app ran cleanly under the strict policy.
 * Failed API calls the test provokes on purpose (4xx answers) are logged by Chromium as
 * "Failed to load resource"; those are left out.
 */
export function collectPageErrors(context: BrowserContext): string[] {
  const errors: string[] = [];
  context.on('page', (page) => {
    page.on('pageerror', (error) => errors.push(`pageerror: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() !== 'error') return;
      if (message.text().startsWith('Failed to load resource')) return;
      errors.push(`console: ${message.text()}`);
    });
  });
  return errors;
}
