/**
 * The sign-in experience's server side for enterprise SSO, as HTML forms instead of Logto's experience app
 * and its /api/experience calls:
 *
 * - GET /sign-in (the login prompt's page): the single sign-on email form.
 * - POST /sign-in: the connectors whose domains hold the email, only while `singleSignOnEnabled` is on
 *   (sign-in-experience-validator.ts `getEnabledSsoConnectorsByEmail`); none: "Single Sign-On is not
 *   enabled for this email account."; one: straight to its IdP; more: a list to pick from.
 * - POST /sign-in/sso/{connectorId}: to that connector's IdP (verification `authorization-uri`).
 * - GET /callback/{connectorId}: the IdP's answer (verification `verify`, then the interaction's submit): the
 *   user found by the SSO identity (issuer, IdP subject), else the user with that verified email (linked),
 *   else a new user; the login prompt is finished.
 * - GET /consent (the consent prompt's page): first-party apps are granted what they asked for, as Logto's
 *   consent route does without asking.
 */
import type { IncomingMessage, ServerResponse } from "node:http";

import type Provider from "oidc-provider";
import type { InteractionResults } from "oidc-provider";

import type { Reply } from "../../shared/exchange";
import { seeOther } from "../../shared/html";
import { isPlainObject } from "../json";
import { newRowId, newUserId } from "../ids";
import type { OutboundOptions } from "../outbound";
import { tenantId, type LogtoState, type SsoConnectorRow, type UserRow } from "../state";
import { authorizationUrl, enterpriseUserInfo, type ConnectorSession, type EnterpriseUserInfo } from "./connector";
import { RequestError } from "./errors";
import { connectorListPage, emailPage, errorPage } from "./pages";

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

async function startSingleSignOn(
  context: ExperienceContext,
  exchange: ExperienceRequest,
  interaction: Interaction,
  connector: SsoConnectorRow,
): Promise<Reply> {
  const { url, session } = await authorizationUrl(connector, context.origin, context.outbound);
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
  return startSingleSignOn(context, exchange, interaction, connectors[0]);
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

/** handleSsoAuthentication: sign in, sign in and link by verified email, or register. */
function userFor(state: LogtoState, connector: SsoConnectorRow, issuer: string, userInfo: EnterpriseUserInfo): UserRow {
  const now = Date.now();
  const detail = { ...userInfo };
  const identity = state.userSsoIdentities.find((row) => row.issuer === issuer && row.identityId === userInfo.id);
  const linked = identity ? state.users.get(identity.userId) : undefined;
  if (identity && linked) {
    identity.detail = detail;
    if (connector.syncProfile)
      Object.assign(linked, {
        name: userInfo.name ?? linked.name,
        avatar: userInfo.avatar ?? linked.avatar,
        updatedAt: now,
      });
    linked.lastSignInAt = now;
    return linked;
  }
  const sameEmail =
    userInfo.email === undefined
      ? undefined
      : [...state.users.values()].find((user) => user.primaryEmail?.toLowerCase() === userInfo.email?.toLowerCase());
  const user: UserRow = sameEmail ?? {
    tenantId,
    id: newUserId(),
    username: null,
    primaryEmail: userInfo.email ?? null,
    name: userInfo.name ?? null,
    avatar: userInfo.avatar ?? null,
    createdAt: now,
    updatedAt: now,
    lastSignInAt: null,
  };
  user.lastSignInAt = now;
  state.users.set(user.id, user);
  state.userSsoIdentities.push({
    tenantId,
    id: newRowId(),
    userId: user.id,
    issuer,
    identityId: userInfo.id,
    detail,
    ssoConnectorId: connector.id,
    createdAt: now,
  });
  return user;
}

async function connectorCallback(
  context: ExperienceContext,
  exchange: ExperienceRequest,
  connectorId: string,
): Promise<Reply> {
  const interaction = await interactionOf(context, exchange);
  const connector = existingConnector(context.state, connectorId);
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

  const { issuer, userInfo } = await enterpriseUserInfo(connector, session, callback, context.outbound);
  // The interaction's submit refuses an enterprise SSO verification while the switch is off.
  if (!context.state.signInExperience.singleSignOnEnabled)
    throw new RequestError(422, "user.sign_in_method_not_enabled");
  const user = userFor(context.state, connector, issuer, userInfo);
  const returnTo = await context.provider.interactionResult(
    exchange.request,
    exchange.response,
    { login: { accountId: user.id } },
    { mergeWithLastSubmission: false },
  );
  return seeOther(returnTo);
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
      return emailPage({ appName: appNameOf(context, await interactionOf(context, exchange)) });
    }
    if (url.pathname === "/sign-in" && method === "POST") return await submitEmail(context, exchange);
    const sso = ssoPath.exec(url.pathname);
    if (sso && method === "POST") {
      const interaction = await interactionOf(context, exchange);
      return await startSingleSignOn(
        context,
        exchange,
        interaction,
        existingConnector(context.state, decodeURIComponent(sso[1])),
      );
    }
    const callback = callbackPath.exec(url.pathname);
    if (callback && method === "GET")
      return await connectorCallback(context, exchange, decodeURIComponent(callback[1]));
    if (url.pathname === "/consent" && method === "GET") return await consent(context, exchange);
    return { status: 405, headers: { allow: url.pathname === "/sign-in" ? "GET, POST" : "GET" } };
  } catch (error) {
    if (error instanceof RequestError) return errorPage(error);
    throw error;
  }
}
