import { type Browser, chromium } from 'playwright-core';

/** Debian's Chromium package; `.ci/run` installs it when missing. */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Headless Chromium. Playwright starts it with `--no-sandbox` by default (we run as root in CI,
 * where Chromium's sandbox would refuse to start), so no extra flag is needed here.
 */
export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true });
}
