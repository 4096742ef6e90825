/**
 * A person's sign-in over plain HTTP, without a browser: the requests Chromium makes in sign-in.ts (the app's
 * authorization request to Logto, Logto's single sign-on email page, Entra's sign-in page and form, back
 * through Logto's connector callback and consent to the app's redirect URI), with cookies kept per origin and
 * redirects followed by hand. The app is played by the caller (`RelyingParty`): the code is redeemed at
 * Logto's token endpoint with the app's id and secret, and the ID token's `sub` is the Logto user id. Every
 * page is checked for what a person would do next, and the outcome says where it ended when it did not get
 * back to the app (Logto's toast on its sign-in page, or Entra's error page), instead of throwing.
 */
import { httpsRequest } from "../standins/entra/testing";

export interface HttpPage {
  url: string;
  status: number;
  /** Absolute. */
  location?: string;
  text: string;
}

/** Cookies per origin, no redirects followed; https origins are trusted with `ca` only. */
export class CookieJar {
  private readonly cookies = new Map<string, Map<string, string>>();
  private readonly ca: string[];

  constructor(ca: string | readonly string[] = []) {
    this.ca = typeof ca === "string" ? [ca] : [...ca];
  }

  /** `form`: a form post, as a page submits it; `json`: a JSON call, as a single-page app makes it (`api`). */
  async fetch(
    url: string,
    init: { method?: string; form?: Record<string, string>; json?: unknown; api?: boolean } = {},
  ): Promise<HttpPage> {
    const { origin } = new URL(url);
    const jar = this.cookies.get(origin) ?? new Map<string, string>();
    this.cookies.set(origin, jar);
    const headers: Record<string, string> = {
      accept: init.api || init.json !== undefined ? "application/json" : "text/html",
    };
    if (jar.size > 0) headers.cookie = [...jar].map(([name, value]) => `${name}=${value}`).join("; ");
    let body: string | undefined;
    if (init.form !== undefined) {
      body = new URLSearchParams(init.form).toString();
      headers["content-type"] = "application/x-www-form-urlencoded";
    } else if (init.json !== undefined) {
      body = JSON.stringify(init.json);
      headers["content-type"] = "application/json";
    }
    const method = init.method ?? (body === undefined ? "GET" : "POST");
    let status: number;
    let text: string;
    let location: string | undefined;
    let setCookies: string[];
    if (url.startsWith("https:")) {
      const answer = await httpsRequest(url, { method, headers, body, ca: this.ca });
      ({ status, text } = answer);
      const header = answer.headers.location;
      location = typeof header === "string" ? header : undefined;
      const cookieHeader = answer.headers["set-cookie"];
      setCookies = Array.isArray(cookieHeader) ? cookieHeader : [];
    } else {
      const answer = await fetch(url, { method, headers, body, redirect: "manual" });
      status = answer.status;
      text = await answer.text();
      location = answer.headers.get("location") ?? undefined;
      setCookies = answer.headers.getSetCookie();
    }
    for (const setCookie of setCookies) {
      const [pair] = setCookie.split(";");
      const separator = pair.indexOf("=");
      jar.set(pair.slice(0, separator), pair.slice(separator + 1));
    }
    return { url, status, text, ...(location === undefined ? {} : { location: new URL(location, url).href }) };
  }
}

/** The app a person signs in to: a Logto application (Traditional) and the redirect URI it registered. */
export interface RelyingParty {
  logtoUrl: string;
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** The scopes asked for; default `openid profile email`. */
  scope?: string;
}

export interface HttpAccount {
  /** What the person types on Logto's single sign-on page. */
  email: string;
  password: string;
  /** The account typed on Entra's sign-in page, when it is not `email`. */
  entraLogin?: string;
}

export interface HttpSignInOutcome {
  /** The Logto user id (the ID token's `sub`) when the person got back to the app signed in. */
  userId?: string;
  idTokenClaims?: Record<string, unknown>;
  /** The access token the app got with the ID token (for userinfo). */
  accessToken?: string;
  /** The page the person was left on when they did not get back to the app. */
  ended?: HttpPage;
  /** What that page said: Logto's toast, Entra's error, or the page's first lines. */
  problem?: string;
  /** Paths visited, in order (origins left out), for the record. */
  visited: string[];
}

const maxSteps = 25;

const textOf = (html: string): string =>
  html
    .replace(/<style[\s\S]*?<\/style>/g, "")
    .replace(/<[^>]+>/g, " ")
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s+/g, " ")
    .trim();

/** On Entra's sign-in page: the form post that signs `account` in, or undefined when the page has no such form. */
export function entraCredentialsSubmission(
  page: HttpPage,
  account: HttpAccount,
): { url: string; form: Record<string, string> } | undefined {
  const flow = /name="flow" value="([^"]+)"/.exec(page.text)?.[1];
  const action = /<form method="post" action="([^"]+)"/.exec(page.text)?.[1];
  if (flow === undefined || action === undefined) return undefined;
  return {
    url: new URL(action, page.url).href,
    form: { flow, loginfmt: account.entraLogin ?? account.email, passwd: account.password },
  };
}

export function problemOn(page: HttpPage): string {
  const toast = /<p id="(?:toast|error)"[^>]*>([\s\S]*?)<\/p>/.exec(page.text)?.[1];
  if (toast !== undefined) return textOf(toast);
  const aadsts = /AADSTS\d+:[^<\r\n]*/.exec(page.text)?.[0];
  if (aadsts !== undefined) return textOf(aadsts);
  return `${page.status} ${textOf(page.text).slice(0, 200)}`;
}

function decodeClaims(idToken: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(idToken.split(".")[1] ?? "", "base64url").toString("utf8")) as Record<string, unknown>;
}

/** The app's authorization request to Logto (code flow), with the state it checks on the way back. */
export function authorizationRequest(app: RelyingParty): { url: string; state: string } {
  const state = `app-${Math.random().toString(36).slice(2)}`;
  const query = new URLSearchParams({
    client_id: app.clientId,
    redirect_uri: app.redirectUri,
    response_type: "code",
    scope: app.scope ?? "openid profile email",
    state,
  });
  return { url: `${app.logtoUrl}/oidc/auth?${query}`, state };
}

/** Logto sent the person back to the app (`page.location`): the app checks its state and redeems the code. */
export async function backAtTheApp(
  app: RelyingParty,
  page: HttpPage,
  state: string,
): Promise<Omit<HttpSignInOutcome, "visited">> {
  const back = new URL(page.location ?? page.url);
  const code = back.searchParams.get("code");
  if (code === null || back.searchParams.get("state") !== state) {
    return { ended: page, problem: `back at the app without a code: ${back.search}` };
  }
  return redeem(app, code);
}

/**
 * Signs `account` in to the app through Logto's enterprise SSO and Entra, in a new browser session. The
 * Entra stand-in's CA is `entraCa`.
 */
export async function signInOverHttp(
  app: RelyingParty,
  account: HttpAccount,
  entraCa: string | readonly string[],
): Promise<HttpSignInOutcome> {
  const jar = new CookieJar(entraCa);
  const visited: string[] = [];
  const { url: authorize, state } = authorizationRequest(app);
  let page = await jar.fetch(authorize);
  let emailSent = false;
  let credentialsSent = false;
  for (let step = 0; step < maxSteps; step += 1) {
    visited.push(new URL(page.url).pathname);
    if (page.location?.startsWith(app.redirectUri)) return { ...(await backAtTheApp(app, page, state)), visited };
    if (page.location !== undefined && page.status >= 300 && page.status < 400) {
      page = await jar.fetch(page.location);
      continue;
    }
    const isLogto = page.url.startsWith(app.logtoUrl);
    const emailForm = isLogto && page.text.includes('action="/sign-in"');
    if (emailForm && !emailSent && !page.text.includes('id="toast"')) {
      emailSent = true;
      page = await jar.fetch(`${app.logtoUrl}/sign-in`, { form: { email: account.email } });
      continue;
    }
    // More than one connector covers the domain: the person picks the first one listed.
    const listed = isLogto ? /<form method="post" action="(\/sign-in\/sso\/[^"]+)">/.exec(page.text)?.[1] : undefined;
    if (listed !== undefined && !page.text.includes('id="toast"')) {
      page = await jar.fetch(`${app.logtoUrl}${listed}`, { form: { email: account.email } });
      continue;
    }
    const submission = isLogto || credentialsSent ? undefined : entraCredentialsSubmission(page, account);
    if (submission) {
      credentialsSent = true;
      page = await jar.fetch(submission.url, { form: submission.form });
      continue;
    }
    return { ended: page, problem: problemOn(page), visited };
  }
  return { ended: page, problem: `no way back to the app after ${maxSteps} steps`, visited };
}

/** The app's side: the code redeemed with client_secret_basic, the ID token read. */
async function redeem(app: RelyingParty, code: string): Promise<Omit<HttpSignInOutcome, "visited">> {
  const answer = await fetch(`${app.logtoUrl}/oidc/token`, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${encodeURIComponent(app.clientId)}:${encodeURIComponent(app.clientSecret)}`).toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: app.redirectUri }),
  });
  const body = (await answer.json()) as { id_token?: unknown; access_token?: unknown; code?: unknown };
  if (answer.status !== 200 || typeof body.id_token !== "string") {
    return { problem: `the app could not redeem its code: ${answer.status} ${String(body.code)}` };
  }
  const idTokenClaims = decodeClaims(body.id_token);
  const accessToken = typeof body.access_token === "string" ? { accessToken: body.access_token } : {};
  return { userId: String(idTokenClaims.sub), idTokenClaims, ...accessToken };
}
