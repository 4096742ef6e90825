/**
 * A person signing in to the sample app through Logto and Entra, in a real browser: open the app, "Sign in",
 * the enterprise email on Logto's page, the Entra sign-in page, back on the app reading the claims and organizations it shows,
 * and "Sign out". Logto's page is either sign-in UI: the stand-in's form, or a real Logto's single-page
 * experience app (logto-io/logto packages/experience: the "Use Single Sign-On" link on `/sign-in`
 * (pages/SignIn), the email form on `/single-sign-on/email` (components/SingleSignOnForm), back from the IdP
 * through `/callback/{connectorId}` (pages/SocialSignInWebCallback), an SSO error shown as a toast for 3 s on
 * `/sign-in` (shared/components/Toast, role "toast")). Each step leaves a screenshot under test-results/sign-in/ named after the scenario and the
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
  /** Set with `claims`: the organizations the app lists, each as shown, e.g. "Contoso (member)". */
  organizations?: string[];
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
  // "No organization." is a paragraph of that id, the memberships are the items of a list.
  const organizations = signedIn
    ? (await page.locator("#organizations li").allInnerTexts()).map((item) => item.trim())
    : [];
  return { url: page.url(), title: await page.title(), text, ...(claims ? { claims, organizations } : {}) };
}

/** How long a real Logto's experience app may take to move on by itself (its API calls, then a redirect). */
const experienceWaitMs = 15_000;

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
  const logtoOrigin = new URL(page.url()).origin;
  const standInForm = page.locator("#submit");
  const ssoLink = page.getByText("Single Sign-On", { exact: true });
  await standInForm.or(ssoLink).first().waitFor();
  await screenshot(page, scenario, "2-logto-sign-in");
  if ((await standInForm.count()) > 0) {
    await page.locator("#identifier").fill(account.email);
    await Promise.all([page.waitForLoadState("load"), standInForm.click()]);
  } else {
    await enterEmailInExperienceApp(page, scenario, account);
  }
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
  if (page.url().startsWith(`${logtoOrigin}/callback/`)) await leaveExperienceCallback(page, scenario);
  await page.waitForLoadState("load");
  await screenshot(page, scenario, "4-landed");
  return { ...(await outcome(page, scenario)), entraSignInUrl };
}

/** Real Logto: "Single Sign-On" under the sign-in form, the enterprise email, "Single Sign-On" again. */
async function enterEmailInExperienceApp(page: Page, scenario: Scenario, account: Account): Promise<void> {
  await Promise.all([
    page.waitForURL((url) => url.pathname === "/single-sign-on/email"),
    page.getByText("Single Sign-On", { exact: true }).click(),
  ]);
  await page.locator('input[name="identifier"]').fill(account.email);
  await screenshot(page, scenario, "2b-logto-sso-email");
  await page.getByRole("button", { name: "Single Sign-On" }).click();
  // One connector for the domain: on to its IdP; several: the list; none: a message under the field, no move.
  await page.waitForURL((url) => url.pathname !== "/single-sign-on/email", { timeout: 5_000 }).catch(() => undefined);
}

/**
 * Real Logto: the callback page verifies the IdP's answer through the experience API, then the browser goes
 * on to the app, or back to `/sign-in` where the error stands in a toast for 3 s: it is read while shown.
 */
async function leaveExperienceCallback(page: Page, scenario: Scenario): Promise<void> {
  await page.waitForURL((url) => url.href.startsWith(scenario.appUrl) || url.pathname === "/sign-in", {
    timeout: experienceWaitMs,
  });
  if (!page.url().startsWith(scenario.appUrl)) await page.locator('[role="toast"]').waitFor({ timeout: 3_000 });
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
