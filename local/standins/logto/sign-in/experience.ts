/**
 * The sign-in experience's server side for enterprise SSO, as HTML forms instead of Logto's experience app
 * and its /api/experience calls:
 *
 * - GET /sign-in (the login prompt's page): the single sign-on email form, with the last failure's message as
 *   a toast (see below).
 * - POST /sign-in: the connectors whose domains hold the email, only while `singleSignOnEnabled` is on
 *   (sign-in-experience-validator.ts `getEnabledSsoConnectorsByEmail`); none: "Single Sign-On is not
 *   enabled for this email account."; one: straight to its IdP; more: a list to pick from.
 * - POST /sign-in/sso/{connectorId}: to that connector's IdP (verification `authorization-uri`).
 * - GET /callback/{connectorId}: the IdP's answer (verification `verify`, identification, submit): the user as
 *   sso-user.ts decides it; the login prompt is finished.
 * - A failed step inside a sign-in shows what Logto's experience app shows: the error's message as a short
 *   toast on the sign-in page (hooks/use-error-handler.ts, pages/SocialSignInWebCallback/
 *   use-single-sign-on-listener.ts `global`), never its code or data. Those go to the audit log (audit-log.ts)
 *   under the keys the experience API logs them with (`Interaction.SignIn.Verification.EnterpriseSso.Submit`
 *   for the IdP's answer, `Interaction.<event>.Identifier.Submit`, `Interaction.<event>.Submit`).
 *   Without a sign-in in progress there is no sign-in page to go back to: `session.not_found` on an error page.
 * - GET /consent (the consent prompt's page): first-party apps are granted what they asked for, as Logto's
 *   consent route does without asking.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type Provider from "oidc-provider";
import type { InteractionResults } from "oidc-provider";

import type { Reply } from "../../shared/exchange";
import { seeOther } from "../../shared/html";
import { enterpriseSsoVerificationLogKey, writeLog, type LogContext } from "../audit-log";
import { isPlainObject } from "../json";
import type { OutboundOptions } from "../outbound";
import type { LogtoState, SsoConnectorRow } from "../state";
import { authorizationUrl, enterpriseUserInfo, type ConnectorSession } from "./connector";
import { RequestError } from "./errors";
import { connectorListPage, emailPage, errorPage } from "./pages";
import { ssoUserFor, type SsoUser } from "./sso-user";

export interface ExperienceContext {
  provider: Provider;
  state: LogtoState;
  /** "http://127.0.0.1:<port>": where the connector callback is. */
  origin: string;
  outbound: OutboundOptions;
}

export interface ExperienceRequest {
  request: IncomingMessage;
  response: ServerResponse;
  method: string;
  url: URL;
  /** The form fields of a POST. */
  form: URLSearchParams;
}

type Interaction = Awaited<ReturnType<Provider["interactionDetails"]>>;

async function interactionOf(
  context: ExperienceContext,
  { request, response }: ExperienceRequest,
): Promise<Interaction> {
  try {
    return await context.provider.interactionDetails(request, response);
  } catch {
    // oidc-provider's SessionNotFound, which Logto's error handler answers as `session.not_found`.
    throw new RequestError(400, "session.not_found");
  }
}

function appNameOf(context: ExperienceContext, interaction: Interaction): string {
  const clientId = interaction.params.client_id;
  return (
    (typeof clientId === "string" ? context.state.applications.get(clientId)?.name : undefined) ?? "the application"
  );
}

/** SignInExperienceValidator.getEnabledSsoConnectorsByEmail. */
function enabledConnectorsFor(state: LogtoState, email: string): SsoConnectorRow[] {
  const domain = email.split("@")[1]?.toLowerCase();
  if (!state.signInExperience.singleSignOnEnabled || !domain) return [];
  return [...state.ssoConnectors.values()].filter(
    (connector) => connector.domains.length > 0 && connector.domains.some((item) => item.toLowerCase() === domain),
  );
}

function logContextOf(context: ExperienceContext, exchange: ExperienceRequest, interaction: Interaction): LogContext {
  const clientId = interaction.params.client_id;
  return {
    state: context.state,
    request: exchange.request,
    ...(typeof clientId === "string" ? { applicationId: clientId } : {}),
  };
}

/** Runs one experience API step and writes its audit log entry, `Error` with the failure when it throws. */
async function logged<Result>(
  log: LogContext,
  key: string,
  fields: Record<string, unknown>,
  step: () => Result | Promise<Result>,
): Promise<Result> {
  try {
    const result = await step();
    writeLog(log, key, fields);
    return result;
  } catch (error) {
    writeLog(log, key, fields, error);
    throw error;
  }
}

async function startSingleSignOn(
  context: ExperienceContext,
  exchange: ExperienceRequest,
  interaction: Interaction,
  connectorId: string,
): Promise<Reply> {
  const { url, session } = await logged(
    logContextOf(context, exchange, interaction),
    "Interaction.SignIn.Verification.EnterpriseSso.Create",
    { connectorId },
    () => authorizationUrl(existingConnector(context.state, connectorId), context.origin, context.outbound),
  );
  await context.provider.interactionResult(exchange.request, exchange.response, {
    ...interaction.result,
    connectorSession: session,
  });
  return seeOther(url);
}

async function submitEmail(context: ExperienceContext, exchange: ExperienceRequest): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const appName = appNameOf(context, interaction);
  const email = (exchange.form.get("email") ?? "").trim();
  if (!/^[^@\s]+@[^@\s]+\.[^@\s]+$/.test(email)) {
    return emailPage({
      appName,
      email,
      status: 400,
      problem: new RequestError(400, "guard.invalid_input", { email }, { type: "query" }).message,
    });
  }
  const connectors = enabledConnectorsFor(context.state, email);
  if (connectors.length === 0) {
    return emailPage({ appName, email, status: 422, problem: new RequestError(422, "error.sso_not_enabled").message });
  }
  if (connectors.length > 1) return connectorListPage(email, connectors);
  return startSingleSignOn(context, exchange, interaction, connectors[0].id);
}

function existingConnector(state: LogtoState, connectorId: string): SsoConnectorRow {
  const connector = state.ssoConnectors.get(connectorId);
  if (!connector) throw new RequestError(404, "connector.not_found", undefined, { type: "SSO" });
  return connector;
}

function connectorSessionOf(result: InteractionResults | undefined): ConnectorSession | undefined {
  const session: unknown = result?.connectorSession;
  if (!isPlainObject(session)) return undefined;
  const { state, redirectUri, connectorId, nonce } = session;
  return typeof state === "string" &&
    typeof redirectUri === "string" &&
    typeof connectorId === "string" &&
    typeof nonce === "string"
    ? { state, redirectUri, connectorId, nonce }
    : undefined;
}

async function connectorCallback(
  context: ExperienceContext,
  exchange: ExperienceRequest,
  connectorId: string,
): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const session = connectorSessionOf(interaction.result);
  if (!session || session.connectorId !== connectorId)
    throw new RequestError(400, "session.connector_validation_session_not_found");
  // The session is used once, whatever happens next (getSingleSignOnSessionResult).
  const { connectorSession: _used, ...rest } = interaction.result ?? {};
  await context.provider.interactionResult(exchange.request, exchange.response, rest, {
    mergeWithLastSubmission: false,
  });
  const callback = Object.fromEntries(exchange.url.searchParams);
  // The experience app compares the state before it calls the API.
  if (callback.state !== session.state) throw new RequestError(400, "error.invalid_connector_auth");

  const log = logContextOf(context, exchange, interaction);
  const { connector, issuer, userInfo } = await logged(
    log,
    enterpriseSsoVerificationLogKey,
    { connectorId, connectorData: { ...callback, redirectUri: session.redirectUri } },
    async () => {
      const found = existingConnector(context.state, connectorId);
      return { connector: found, ...(await enterpriseUserInfo(found, session, callback, context.outbound)) };
    },
  );
  const { user, event } = identify(context.state, log, () => ssoUserFor(context.state, connector, issuer, userInfo));
  writeLog(log, `Interaction.${event}.Submit`, { userId: user.id });
  const returnTo = await context.provider.interactionResult(
    exchange.request,
    exchange.response,
    { login: { accountId: user.id } },
    { mergeWithLastSubmission: false },
  );
  return seeOther(returnTo);
}

/**
 * The identification, logged as the experience API logs it: a user not registered yet fails the sign-in
 * identification (`user.sso_identity_not_exist`) before the app registers them.
 */
function identify(state: LogtoState, log: LogContext, find: () => SsoUser): SsoUser {
  const key = "Interaction.SignIn.Identifier.Submit";
  let found: SsoUser;
  try {
    // The identification refuses an enterprise SSO verification while the switch is off.
    if (!state.signInExperience.singleSignOnEnabled) throw new RequestError(422, "user.sign_in_method_not_enabled");
    found = find();
  } catch (error) {
    writeLog(log, key, {}, error);
    throw error;
  }
  if (found.event === "Register") {
    writeLog(log, key, {}, new RequestError(404, "user.sso_identity_not_exist"));
    writeLog(log, "Interaction.Register.Identifier.Submit", {});
  } else {
    writeLog(log, key, {});
  }
  return found;
}

/**
 * A failed step: the experience app shows the error's message for a moment and goes back to the sign-in page
 * of the same interaction; the message is kept for that page's next render.
 */
async function backToSignIn(context: ExperienceContext, exchange: ExperienceRequest, message: string): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const { connectorSession: _dropped, ...rest } = interaction.result ?? {};
  await context.provider.interactionResult(
    exchange.request,
    exchange.response,
    { ...rest, toast: message },
    { mergeWithLastSubmission: false },
  );
  return seeOther("/sign-in");
}

/** The sign-in page, with the toast a failed step left (shown once). */
async function signInPage(context: ExperienceContext, exchange: ExperienceRequest): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const { toast, ...rest } = interaction.result ?? {};
  if (typeof toast === "string") {
    await context.provider.interactionResult(exchange.request, exchange.response, rest, {
      mergeWithLastSubmission: false,
    });
  }
  return emailPage({ appName: appNameOf(context, interaction), ...(typeof toast === "string" ? { toast } : {}) });
}

/** Logto's consent for first-party apps: everything the prompt says is missing is granted. */
async function consent(context: ExperienceContext, exchange: ExperienceRequest): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const { provider } = context;
  const accountId = interaction.session?.accountId;
  const clientId = interaction.params.client_id;
  if (!accountId || typeof clientId !== "string") throw new RequestError(400, "session.not_found");
  const grant =
    (interaction.grantId ? await provider.Grant.find(interaction.grantId) : undefined) ??
    new provider.Grant({ accountId, clientId });
  const details = interaction.prompt.details;
  const missingScopes = Array.isArray(details.missingOIDCScope)
    ? details.missingOIDCScope.filter((scope): scope is string => typeof scope === "string")
    : [];
  const missingClaims = Array.isArray(details.missingOIDCClaims)
    ? details.missingOIDCClaims.filter((claim): claim is string => typeof claim === "string")
    : [];
  if (missingScopes.length > 0) grant.addOIDCScope(missingScopes.join(" "));
  if (missingClaims.length > 0) grant.addOIDCClaims(missingClaims);
  if (isPlainObject(details.missingResourceScopes)) {
    for (const [indicator, scopes] of Object.entries(details.missingResourceScopes)) {
      if (Array.isArray(scopes)) grant.addResourceScope(indicator, scopes.join(" "));
    }
  }
  const grantId = await grant.save();
  const returnTo = await provider.interactionResult(
    exchange.request,
    exchange.response,
    { consent: { grantId } },
    { mergeWithLastSubmission: true },
  );
  return seeOther(returnTo);
}

const ssoPath = /^\/sign-in\/sso\/([^/]+)$/;
const callbackPath = /^\/callback\/([^/]+)$/;

/** Whether the stand-in's sign-in experience serves this path. */
export const isExperiencePath = (pathname: string): boolean =>
  ["/sign-in", "/register", "/consent"].includes(pathname) || ssoPath.test(pathname) || callbackPath.test(pathname);

export async function answerExperience(context: ExperienceContext, exchange: ExperienceRequest): Promise<Reply> {
  const { method, url } = exchange;
  try {
    if ((url.pathname === "/sign-in" || url.pathname === "/register") && method === "GET") {
      return await signInPage(context, exchange);
    }
    if (url.pathname === "/sign-in" && method === "POST") return await submitEmail(context, exchange);
    const sso = ssoPath.exec(url.pathname);
    if (sso && method === "POST") {
      const interaction = await interactionOf(context, exchange);
      return await startSingleSignOn(context, exchange, interaction, decodeURIComponent(sso[1]));
    }
    const callback = callbackPath.exec(url.pathname);
    if (callback && method === "GET")
      return await connectorCallback(context, exchange, decodeURIComponent(callback[1]));
    if (url.pathname === "/consent" && method === "GET") return await consent(context, exchange);
    return { status: 405, headers: { allow: url.pathname === "/sign-in" ? "GET, POST" : "GET" } };
  } catch (error) {
    if (!(error instanceof RequestError)) throw error;
    if (error.code === "session.not_found") return errorPage(error);
    try {
      return await backToSignIn(context, exchange, error.message);
    } catch (lost) {
      if (lost instanceof RequestError) return errorPage(lost);
      throw lost;
    }
  }
}
