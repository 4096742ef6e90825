/**
 * Debian's Chromium driven by playwright-core, headless, with the flags this machine needs (no sandbox as
 * root, no GPU, no QUIC, and none of Chromium's background calls home, which the closed network refuses), a
 * new profile each time, and the Entra stand-in's per-run certificate accepted. Never a browser download:
 * local/browser/browser.sh installs the `chromium` package and prints its path.
 */
import { existsSync } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";

import { chromium, type BrowserContext } from "playwright-core";

export const chromiumFlags = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-quic",
  "--no-first-run",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
];

/** The executable: $CHROMIUM, else Debian's /usr/bin/chromium. */
export function chromiumPath(): string {
  const executable = process.env.CHROMIUM ?? "/usr/bin/chromium";
  if (!existsSync(executable)) {
    throw new Error(
      `Chromium is not installed at ${executable}: run \`bash local/browser/browser.sh\` (installs Debian's chromium) or set CHROMIUM to a Chromium executable`,
    );
  }
  return executable;
}

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Every wait of a page is bounded by this (navigation, clicks, selectors). */
export const pageTimeoutMs = 15_000;

export async function launchChromium(): Promise<Browser> {
  const userDataDir = await mkdtemp(path.join(os.tmpdir(), "sign-in-chromium-"));
  try {
    const context = await chromium.launchPersistentContext(userDataDir, {
      executablePath: chromiumPath(),
      headless: true,
      args: chromiumFlags,
      ignoreHTTPSErrors: true,
      timeout: 30_000,
      viewport: { width: 1000, height: 800 },
    });
    context.setDefaultTimeout(pageTimeoutMs);
    context.setDefaultNavigationTimeout(pageTimeoutMs);
    return {
      context,
      async close() {
        try {
          await context.close();
        } finally {
          await rm(userDataDir, { recursive: true, force: true });
        }
      },
    };
  } catch (error) {
    await rm(userDataDir, { recursive: true, force: true });
    throw error;
  }
}
