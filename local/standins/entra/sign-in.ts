/**
 * User sign-in on the v2.0 authorization endpoint, `/{tenant}/oauth2/v2.0/authorize` (the authorization code
 * flow of MicrosoftDocs/entra-docs docs/identity-platform/v2-oauth2-auth-code-flow.md): the client is an app
 * registration (appId, Web redirect URIs), the user one of the tenants' test users, and the scopes must be
 * covered by a delegated permission grant of the client's service principal in the user's tenant (users of
 * the stand-in's tenants cannot consent themselves). Problems with the client or its redirect URI are shown on
 * Entra's error page; the others go back to the app on the redirect URI, as Entra sends them.
 */
import { randomBytes } from "node:crypto";

import type { Reply } from "../shared/exchange";
import { seeOther } from "../shared/html";
import { isPlainObject } from "../shared/json";
import { LoginError, type RequestIds } from "./errors";
import { unknownApplication } from "./login";
import { microsoftGraphAppId } from "./microsoft-graph";
import type { Application, User } from "./objects";
import { isMultiTenantAlias } from "./oidc";
import { errorPage, formPostPage, signInPage } from "./pages";
import type { TenantDirectory } from "./state";

/** The scopes of the OpenID Connect sign-in itself; Graph publishes them as delegated permissions too. */
export const openIdScopes = new Set(["openid", "profile", "email", "offline_access"]);

const flowTtlMs = 10 * 60 * 1000;
// "Authorization codes are short lived. Typically, they expire after about 10 minutes." (v2-oauth2-auth-code-flow.md)
const codeTtlMs = 10 * 60 * 1000;

type ResponseMode = "query" | "fragment" | "form_post";

/** An authorization request whose client and redirect URI were checked, waiting for the user to sign in. */
interface PendingSignIn {
  authority: string;
  clientId: string;
  /** The tenant of the app registration. */
  homeTenantId: string;
  redirectUri: string;
  responseMode: ResponseMode;
  state?: string;
  nonce?: string;
  /** Graph permission names, e.g. `openid`, `User.Read`. */
  scopes: string[];
  codeChallenge?: string;
  codeChallengeMethod: "plain" | "S256";
  expiresAt: number;
}

/** An authorization code as the token endpoint redeems it. */
export interface IssuedCode {
  clientId: string;
  homeTenantId: string;
  /** The user's tenant: the `tid` of the tokens. */
  resourceTenantId: string;
  userId: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  codeChallengeMethod: "plain" | "S256";
  expiresAt: number;
  redeemed: boolean;
}

/** Sign-ins in progress and the codes they produced; nothing of it survives `clear()`. */
export class SignInFlows {
  private readonly pending = new Map<string, PendingSignIn>();
  readonly codes = new Map<string, IssuedCode>();

  start(request: PendingSignIn): string {
    const flow = randomBytes(24).toString("base64url");
    this.pending.set(flow, request);
    return flow;
  }

  /** The sign-in `flow` names, if it has not expired. */
  find(flow: string): PendingSignIn | undefined {
    const request = this.pending.get(flow);
    if (!request || request.expiresAt > Date.now()) return request;
    this.pending.delete(flow);
    return undefined;
  }

  finish(flow: string, code: Omit<IssuedCode, "expiresAt" | "redeemed">): string {
    this.pending.delete(flow);
    const value = randomBytes(48).toString("base64url");
    this.codes.set(value, { ...code, expiresAt: Date.now() + codeTtlMs, redeemed: false });
    return value;
  }

  clear(): void {
    this.pending.clear();
    this.codes.clear();
  }
}

export interface SignInContext {
  origin: string;
  tenantOf(tenantId: string): TenantDirectory | undefined;
  directories(): readonly TenantDirectory[];
  flows: SignInFlows;
  ids: RequestIds;
}

/** An app registration anywhere in the stand-in, with the tenant that holds it. */
export function findApplication(
  context: Pick<SignInContext, "directories">,
  appId: string,
): { app: Application; home: TenantDirectory } | undefined {
  for (const home of context.directories()) {
    const app = home.applicationByAppId(appId);
    if (app) return { app, home };
  }
  return undefined;
}

const isMultiTenantApp = (app: Application): boolean =>
  ["AzureADMultipleOrgs", "AzureADandPersonalMicrosoftAccount"].includes(app.signInAudience);

function stringParam(params: Record<string, unknown>, name: string): string | undefined {
  const value = params[name];
  return typeof value === "string" && value !== "" ? value : undefined;
}

const missing = (name: string): LoginError =>
  new LoginError(400, "invalid_request", 900144, `The request body must contain the following parameter: '${name}'.`);

/** Graph permission names for the requested scopes; a scope of another resource is Entra's AADSTS70011. */
function graphScopes(scope: string, origin: string): string[] {
  const names = scope
    .split(" ")
    .filter(Boolean)
    .map((item) => {
      if (openIdScopes.has(item.toLowerCase())) return item.toLowerCase();
      for (const prefix of [`${origin}/`, "https://graph.microsoft.com/", `${microsoftGraphAppId}/`]) {
        if (item.toLowerCase().startsWith(prefix.toLowerCase())) return item.slice(prefix.length);
      }
      if (!item.includes("/") && !item.includes(":")) return item;
      throw new LoginError(
        400,
        "invalid_scope",
        70011,
        `The provided value for the input parameter 'scope' is not valid. The scope ${item} is not valid.`,
      );
    });
  return [...new Set(names)];
}

/** Where the response goes, in the response mode asked for. */
function respond(redirectUri: string, mode: ResponseMode, fields: Record<string, string>): Reply {
  if (mode === "form_post") return formPostPage(redirectUri, fields);
  const url = new URL(redirectUri);
  if (mode === "fragment") {
    url.hash = new URLSearchParams(fields).toString();
  } else {
    for (const [name, value] of Object.entries(fields)) url.searchParams.set(name, value);
  }
  return seeOther(url.toString());
}

function errorFields(error: LoginError, ids: RequestIds, state: string | undefined): Record<string, string> {
  const timestamp = new Date()
    .toISOString()
    .replace("T", " ")
    .replace(/\.\d{3}Z$/, "Z");
  return {
    error: error.error,
    error_description: `${error.message}\r\nTrace ID: ${ids.requestId}\r\nCorrelation ID: ${ids.clientRequestId}\r\nTimestamp: ${timestamp}`,
    ...(state === undefined ? {} : { state }),
  };
}

/** GET (or POST) `/{tenant}/oauth2/v2.0/authorize`. */
export function authorize(context: SignInContext, authority: string, params: Record<string, unknown>): Reply {
  const { ids } = context;
  try {
    const directory = context.tenantOf(authority);
    if (!directory && !isMultiTenantAlias(authority)) {
      throw new LoginError(
        400,
        "invalid_tenant",
        90002,
        `Tenant '${authority}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
      );
    }
    const clientId = stringParam(params, "client_id");
    if (!clientId) throw missing("client_id");
    const found = findApplication(context, clientId);
    // A tenant-specific authority knows apps of its own, and multi-tenant apps it has a service principal for.
    const known =
      found !== undefined &&
      (directory === undefined ||
        found.home === directory ||
        (isMultiTenantApp(found.app) && directory.servicePrincipalByAppId(clientId) !== undefined));
    if (!found || !known) throw unknownApplication(clientId, directory?.tenantId ?? authority);
    const redirectUri = stringParam(params, "redirect_uri");
    if (!redirectUri) throw missing("redirect_uri");
    if (!found.app.web.redirectUris.includes(redirectUri)) {
      throw new LoginError(
        400,
        "invalid_request",
        50011,
        `The redirect URI '${redirectUri}' specified in the request does not match the redirect URIs configured for the application '${clientId}'. Make sure the redirect URI sent in the request matches one added to your application in the Azure portal. Navigate to https://aka.ms/redirectUriMismatchError to learn more about how to fix this.`,
      );
    }
    const state = stringParam(params, "state");
    const mode = stringParam(params, "response_mode") ?? "query";
    const responseMode: ResponseMode = mode === "form_post" || mode === "fragment" ? mode : "query";
    try {
      if (mode !== responseMode)
        throw new LoginError(
          400,
          "invalid_request",
          0,
          `The Entra stand-in answers in response_mode query, fragment or form_post, not '${mode}'.`,
        );
      const responseType = stringParam(params, "response_type");
      if (!responseType) throw missing("response_type");
      if (responseType !== "code") {
        throw new LoginError(
          400,
          "unsupported_response_type",
          700054,
          `response_type '${responseType}' is not enabled for the application.`,
        );
      }
      const scope = stringParam(params, "scope");
      if (!scope) throw missing("scope");
      const codeChallenge = stringParam(params, "code_challenge");
      const method = stringParam(params, "code_challenge_method") ?? "plain";
      if (method !== "plain" && method !== "S256") {
        throw new LoginError(
          400,
          "invalid_request",
          0,
          `The Entra stand-in takes code_challenge_method S256 or plain, not '${method}'.`,
        );
      }
      const flow = context.flows.start({
        authority,
        clientId,
        homeTenantId: found.home.tenantId,
        redirectUri,
        responseMode,
        state,
        nonce: stringParam(params, "nonce"),
        scopes: graphScopes(scope, context.origin),
        codeChallenge,
        codeChallengeMethod: method,
        expiresAt: Date.now() + flowTtlMs,
      });
      return signInPage({
        action: `/${authority}/login`,
        flow,
        appName: found.app.displayName ?? clientId,
        loginHint: stringParam(params, "login_hint"),
      });
    } catch (error) {
      if (error instanceof LoginError) return respond(redirectUri, responseMode, errorFields(error, ids, state));
      throw error;
    }
  } catch (error) {
    if (error instanceof LoginError) return errorPage(error, ids);
    throw error;
  }
}

/** The service principal of the client in `tenant` and the delegated scopes it was granted there for `user`. */
function grantedScopes(tenant: TenantDirectory, clientId: string, user: User): Set<string> | undefined {
  const servicePrincipal = tenant.servicePrincipalByAppId(clientId);
  if (!servicePrincipal) return undefined;
  const granted = new Set<string>();
  for (const grant of tenant.oauth2PermissionGrants.values()) {
    const forUser = grant.consentType === "AllPrincipals" || grant.principalId === user.id;
    if (grant.clientId === servicePrincipal.id && grant.resourceId === tenant.graphServicePrincipalId && forUser) {
      for (const scope of grant.scope.split(" ").filter(Boolean)) granted.add(scope.toLowerCase());
    }
  }
  return granted;
}

/** The user a sign-in name belongs to, in the authority's tenant (or, for `organizations`, in any tenant). */
function findUser(
  context: SignInContext,
  authority: string,
  login: string,
): { user: User; tenant: TenantDirectory } | undefined {
  const candidates = isMultiTenantAlias(authority)
    ? context.directories()
    : [context.tenantOf(authority)].filter((tenant) => tenant !== undefined);
  for (const tenant of candidates) {
    const user = tenant.userByPrincipalName(login);
    if (user) return { user, tenant };
  }
  return undefined;
}

/** POST `/{tenant}/login`: the sign-in form. */
export function submitSignIn(context: SignInContext, authority: string, form: unknown): Reply {
  const fields = isPlainObject(form) ? form : {};
  const flow = stringParam(fields, "flow") ?? "";
  const request = context.flows.find(flow);
  if (!request || request.authority !== authority) {
    return errorPage(
      new LoginError(
        400,
        "invalid_request",
        50089,
        "Flow token expired: authentication failed. Start the sign-in from the application again.",
      ),
      context.ids,
    );
  }
  const login = stringParam(fields, "loginfmt") ?? "";
  const password = typeof fields.passwd === "string" ? fields.passwd : "";
  const found = findUser(context, authority, login);
  const app = findApplication(context, request.clientId);
  const appName = app?.app.displayName ?? request.clientId;
  const again = (problem: string): Reply =>
    signInPage({ action: `/${authority}/login`, flow, appName, loginHint: login, problem });
  if (!found) {
    const where = isMultiTenantAlias(authority) ? "any of the stand-in's directories" : `the directory '${authority}'`;
    return again(
      `AADSTS50034: The user account ${login} does not exist in ${where}. To sign into this application, the account must be added to the directory.`,
    );
  }
  if (!found.tenant.checkPassword(found.user, password)) {
    return again("AADSTS50126: Error validating credentials due to invalid username or password.");
  }

  const { tenant, user } = found;
  const back = (error: LoginError): Reply =>
    respond(request.redirectUri, request.responseMode, errorFields(error, context.ids, request.state));
  if (app && app.home !== tenant && !isMultiTenantApp(app.app)) {
    return back(
      new LoginError(
        400,
        "invalid_request",
        50194,
        `Application '${request.clientId}'(${appName}) is not configured as a multi-tenant application. Usage of the /common endpoint is not supported for such applications created after '10/15/2018'. Use a tenant-specific endpoint or configure the application to be multi-tenant.`,
      ),
    );
  }
  const granted = grantedScopes(tenant, request.clientId, user);
  if (!granted || request.scopes.some((scope) => !granted.has(scope.toLowerCase()))) {
    return back(
      new LoginError(
        400,
        "consent_required",
        65001,
        `The user or administrator has not consented to use the application with ID '${request.clientId}' named '${appName}'. Send an interactive authorization request for this user and resource.`,
      ),
    );
  }
  const code = context.flows.finish(flow, {
    clientId: request.clientId,
    homeTenantId: request.homeTenantId,
    resourceTenantId: tenant.tenantId,
    userId: user.id,
    redirectUri: request.redirectUri,
    scopes: request.scopes,
    nonce: request.nonce,
    codeChallenge: request.codeChallenge,
    codeChallengeMethod: request.codeChallengeMethod,
  });
  return respond(request.redirectUri, request.responseMode, {
    code,
    ...(request.state === undefined ? {} : { state: request.state }),
  });
}
