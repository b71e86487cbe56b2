/**
 * Headless Chromium for the browser tests: Debian's package (installed on first use by
 * tools/test-deps), driven by playwright-core, which never downloads a browser of its own.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { ensureChromium } from '../../tools/test-deps';

/** A container has no GPU, no user namespaces for the sandbox and a small /dev/shm; the run must not reach the network. */
export const CHROMIUM_FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-dev-shm-usage',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: ensureChromium(), headless: true, args: CHROMIUM_FLAGS, timeout: 30_000 });
}

/**
 * Records what the page reports as broken: console errors (a resource refused by the
 * Content-Security-Policy is one) and uncaught exceptions. Read it after the page has been used.
 */
export function collectPageErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()} (${message.location().url || 'page'})`);
  });
  page.on('pageerror', (error) => errors.push(`uncaught: ${error.message}`));
  return errors;
}
