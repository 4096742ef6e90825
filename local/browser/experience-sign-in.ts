/**
 * A person's enterprise-SSO sign-in to a real Logto over HTTP, making the calls its sign-in app (the
 * single-page "experience" app) makes, in the order it makes them (logto-io/logto packages/experience/src:
 * hooks/use-check-single-sign-on.ts, hooks/use-single-sign-on.ts, apis/experience/social.ts,
 * pages/SocialSignInWebCallback/use-single-sign-on-listener.ts, apis/experience/index.ts
 * `registerWithVerifiedIdentifier`, pages/Consent). Entra's side and the app's are the same as in
 * http-sign-in.ts. Where the app would show a toast, the outcome's `problem` is the server's `message`, which is
 * what the toast says; the error's code and data stay out of it, as they stay off the page.
 */
import {
  authorizationRequest,
  backAtTheApp,
  CookieJar,
  entraCredentialsSubmission,
  problemOn,
  signInOverHttp,
  type HttpAccount,
  type HttpPage,
  type HttpSignInOutcome,
  type RelyingParty,
} from "./http-sign-in";

const maxRedirects = 15;

/** A failed step: what the page shows and where the person was left. */
class Shown extends Error {
  constructor(
    readonly problem: string,
    readonly page: HttpPage,
  ) {
    super(problem);
  }
}

interface ApiError {
  code?: string;
  message?: string;
}

/** A JSON body, or undefined: some answers are plain text (the 201 of a registering identification: "Created"). */
function parsed(page: HttpPage): unknown {
  try {
    return JSON.parse(page.text) as unknown;
  } catch {
    return undefined;
  }
}

class ExperienceSession {
  constructor(
    private readonly jar: CookieJar,
    /** `window.location.origin` of the sign-in app: where Logto sent the browser. */
    private readonly origin: string,
    private readonly visited: string[],
  ) {}

  /** A call of the sign-in app to Logto's experience API; an error answer throws what its toast shows. */
  async call<T>(method: string, path: string, json?: unknown, handled: string[] = []): Promise<T | ApiError> {
    const page = await this.jar.fetch(`${this.origin}${path}`, { method, api: true, json });
    this.visited.push(`${method} ${path.split("?")[0]}`);
    if (page.status < 400) return parsed(page) as T;
    const error = (parsed(page) ?? {}) as ApiError;
    if (error.code && handled.includes(error.code)) return error;
    throw new Shown(error.message ?? `${page.status}`, page);
  }
}

/** Follows redirects from `url` until `stop` says a location is where the person's browser lands next. */
async function follow(
  jar: CookieJar,
  url: string,
  visited: string[],
  stop: (location: string) => boolean,
  account?: HttpAccount,
): Promise<HttpPage> {
  let page = await jar.fetch(url);
  let credentialsSent = false;
  for (let step = 0; step < maxRedirects; step += 1) {
    visited.push(new URL(page.url).pathname);
    if (page.location !== undefined && stop(page.location)) return page;
    if (page.location !== undefined && page.status >= 300 && page.status < 400) {
      page = await jar.fetch(page.location);
      continue;
    }
    const submission = account && !credentialsSent ? entraCredentialsSubmission(page, account) : undefined;
    if (submission) {
      credentialsSent = true;
      page = await jar.fetch(submission.url, { form: submission.form });
      continue;
    }
    return page;
  }
  throw new Shown(`no way on after ${maxRedirects} redirects`, page);
}

interface SignInExperience {
  singleSignOnEnabled?: boolean;
  signInMode?: string;
  ssoConnectors?: { id: string }[];
}

/**
 * Signs `account` in to the app through a real Logto's enterprise SSO and Entra, in a new browser session. The
 * Entra stand-in's CA is `entraCa`.
 */
export async function signInThroughLogtoExperience(
  app: RelyingParty,
  account: HttpAccount,
  entraCa: string | readonly string[],
): Promise<HttpSignInOutcome> {
  const jar = new CookieJar(entraCa);
  const visited: string[] = [];
  const { url: authorize, state: appState } = authorizationRequest(app);
  try {
    const signInPage = await follow(jar, authorize, visited, () => false);
    if (signInPage.status !== 200 || !new URL(signInPage.url).pathname.startsWith("/sign-in")) {
      return { ended: signInPage, problem: problemOn(signInPage), visited };
    }
    const origin = new URL(signInPage.url).origin;
    const session = new ExperienceSession(jar, origin, visited);
    const experience = (await session.call<SignInExperience>(
      "GET",
      "/api/.well-known/sign-in-exp",
    )) as SignInExperience;
    if (!experience.singleSignOnEnabled) {
      throw new Shown("the sign-in page has no Single Sign-On link", signInPage);
    }
    // "Use Single Sign-On" → the email page: only connectors the sign-in experience lists count.
    const available = new Set((experience.ssoConnectors ?? []).map((connector) => connector.id));
    const found = (await session.call<{ connectorIds: string[] }>(
      "GET",
      `/api/experience/sso-connectors?${new URLSearchParams({ email: account.email })}`,
    )) as { connectorIds: string[] };
    // Several connectors: the person picks the first one listed.
    const connectorId = found.connectorIds.find((id) => available.has(id));
    if (connectorId === undefined) throw new Shown("Single Sign-On is not enabled for this email account.", signInPage);

    const callback = `${origin}/callback/${connectorId}`;
    const ssoState = `sso-${Math.random().toString(36).slice(2)}`;
    await session.call("PUT", "/api/experience", { interactionEvent: "SignIn" });
    const { authorizationUri, verificationId } = (await session.call(
      "POST",
      `/api/experience/verification/sso/${connectorId}/authorization-uri`,
      { state: ssoState, redirectUri: callback },
    )) as { authorizationUri: string; verificationId: string };

    const atEntra = await follow(jar, authorizationUri, visited, (location) => location.startsWith(callback), account);
    if (!atEntra.location?.startsWith(callback)) return { ended: atEntra, problem: problemOn(atEntra), visited };
    const { state, ...connectorData } = Object.fromEntries(new URL(atEntra.location).searchParams);
    visited.push(new URL(callback).pathname);
    if (state !== ssoState) throw new Shown("The state is invalid.", atEntra);

    await session.call("POST", `/api/experience/verification/sso/${connectorId}/verify`, {
      verificationId,
      connectorData: { ...connectorData, redirectUri: callback },
    });
    const identified = await session.call<undefined>("POST", "/api/experience/identification", { verificationId }, [
      "user.sso_identity_not_exist",
    ]);
    if (identified !== undefined && identified.code === "user.sso_identity_not_exist") {
      // Sign-in only: the toast says so; otherwise the app registers the verified identity at once.
      if (experience.signInMode === "SignIn") throw new Shown(identified.message ?? identified.code, signInPage);
      await session.call("PUT", "/api/experience/interaction-event", { interactionEvent: "Register" });
      await session.call("POST", "/api/experience/identification", { verificationId });
    }
    const { redirectTo } = (await session.call("POST", "/api/experience/submit")) as { redirectTo: string };

    let page = await follow(jar, redirectTo, visited, (location) => location.startsWith(app.redirectUri));
    if (!page.location?.startsWith(app.redirectUri) && new URL(page.url).pathname === "/consent") {
      // A consent page the core did not skip: the person consents (pages/Consent, apis/consent.ts).
      const consented = (await session.call("POST", "/api/interaction/consent", {})) as { redirectTo: string };
      page = await follow(jar, consented.redirectTo, visited, (location) => location.startsWith(app.redirectUri));
    }
    if (!page.location?.startsWith(app.redirectUri)) return { ended: page, problem: problemOn(page), visited };
    return { ...(await backAtTheApp(app, page, appState)), visited };
  } catch (error) {
    if (error instanceof Shown) return { ended: error.page, problem: error.problem, visited };
    throw error;
  }
}

/**
 * The HTTP sign-in through a world's Logto: over the stand-in's own sign-in pages (http-sign-in.ts), or through
 * a real Logto's sign-in app, the calls its experience app makes.
 */
export function httpSignInThrough(logto: { standIn?: unknown }): typeof signInOverHttp {
  return logto.standIn ? signInOverHttp : signInThroughLogtoExperience;
}
