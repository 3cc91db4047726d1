import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { chromium, type Browser } from 'playwright-core';

/** Debian's chromium (installed by scripts/setup.sh --test); playwright-core drives it. */
export const chromiumPath = process.env.PIPEWATCH_TEST_CHROMIUM ?? '/usr/bin/chromium';

/** Why browser tests cannot run here, or undefined when they can. */
export function browserSkipReason(): string | undefined {
  return existsSync(chromiumPath)
    ? undefined
    : `no chromium at ${chromiumPath}: bash scripts/setup.sh --test installs Debian's chromium`;
}

export async function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: chromiumPath,
    // Root in CI: Chromium's sandbox needs an unprivileged user namespace.
    args: ['--no-sandbox', '--disable-dev-shm-usage', '--disable-gpu'],
  });
}

/** Where tests save screenshots (ignored by git; CI keeps the working tree). */
export function screenshotPath(name: string): string {
  const folder = join(import.meta.dirname, '..', 'screenshots');
  mkdirSync(folder, { recursive: true });
  return join(folder, name);
}
