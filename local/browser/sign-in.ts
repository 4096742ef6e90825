/**
 * A person signing in to the sample app through Logto and Entra, in a real browser: open the app, "Sign in",
 * the enterprise email on Logto's page, the Entra sign-in page, back on the app reading the claims it shows,
 * and "Sign out". Each step leaves a screenshot under test-results/sign-in/ named after the scenario and the
 * step (never after a user or a secret). The steps report where the browser ended instead of throwing, so a
 * test can assert on failures a user would see.
 */
import { mkdir } from "node:fs/promises";
import path from "node:path";

import type { BrowserContext, Page } from "playwright-core";

export const artefactDir = path.resolve(__dirname, "../../test-results/sign-in");

export interface Account {
  email: string;
  password: string;
}

/** What the app showed a signed-in user (index.html). */
export interface ShownClaims {
  name: string;
  email: string;
  sub: string;
}

export interface SignInOutcome {
  /** Where the browser ended. */
  url: string;
  title: string;
  /** The visible text of that page. */
  text: string;
  /** The Entra sign-in page's URL, when the browser got there. */
  entraSignInUrl?: string;
  /** Set when the browser ended on the app signed in. */
  claims?: ShownClaims;
}

export interface Scenario {
  context: BrowserContext;
  /** A short fixed name for the screenshots, e.g. "tenant-1". */
  name: string;
  appUrl: string;
  /** The Entra stand-in's origin: how a page is recognised as Entra's. */
  entraUrl: string;
}

async function screenshot(page: Page, scenario: Scenario, step: string): Promise<void> {
  await mkdir(artefactDir, { recursive: true });
  await page.screenshot({ path: path.join(artefactDir, `${scenario.name}-${step}.png`), fullPage: true });
}

async function outcome(page: Page, scenario: Scenario): Promise<Omit<SignInOutcome, "entraSignInUrl">> {
  await page.waitForLoadState("load");
  const text = await page.locator("body").innerText();
  const signedIn = page.url().startsWith(scenario.appUrl) && (await page.locator("#sub").count()) > 0;
  const claims = signedIn
    ? {
        name: await page.locator("#name").innerText(),
        email: await page.locator("#email").innerText(),
        sub: await page.locator("#sub").innerText(),
      }
    : undefined;
  return { url: page.url(), title: await page.title(), text, ...(claims ? { claims } : {}) };
}

/** Opens the app and signs in as `account` (password used only if the browser reaches Entra). */
export async function signIn(scenario: Scenario, account: Account): Promise<SignInOutcome> {
  const page = scenario.context.pages()[0] ?? (await scenario.context.newPage());
  await page.goto(scenario.appUrl);
  await screenshot(page, scenario, "1-app");
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/sign-in"),
    // A form's button (POST /sign-in with its CSRF token), then Logto's sign-in page.
    page.getByRole("button", { name: "Sign in", exact: true }).click(),
  ]);
  await screenshot(page, scenario, "2-logto-sign-in");
  await page.locator("#identifier").fill(account.email);
  await Promise.all([page.waitForLoadState("load"), page.locator("#submit").click()]);
  await page.waitForLoadState("load");
  if (!page.url().startsWith(scenario.entraUrl)) {
    await screenshot(page, scenario, "3-ended");
    return outcome(page, scenario);
  }
  const entraSignInUrl = page.url();
  await page.locator("#i0116").fill(account.email);
  await page.locator("#i0118").fill(account.password);
  await screenshot(page, scenario, "3-entra-sign-in");
  await Promise.all([
    page.waitForURL((url) => !url.href.startsWith(scenario.entraUrl)),
    page.locator("#idSIButton9").click(),
  ]);
  await page.waitForLoadState("load");
  await screenshot(page, scenario, "4-landed");
  return { ...(await outcome(page, scenario)), entraSignInUrl };
}

/** "Sign out" on the app's page (a form's POST); ends back on the app's home page after Logto's end-session. */
export async function signOut(scenario: Scenario): Promise<SignInOutcome> {
  const page = scenario.context.pages()[0];
  if (!page) throw new Error("signOut: no page open; sign in first");
  await Promise.all([
    page.waitForURL((url) => url.href === `${scenario.appUrl}/`, { waitUntil: "load" }),
    page.getByRole("button", { name: "Sign out", exact: true }).click(),
  ]);
  await screenshot(page, scenario, "5-signed-out");
  return outcome(page, scenario);
}
