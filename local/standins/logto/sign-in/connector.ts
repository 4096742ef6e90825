/**
 * The "Microsoft Entra ID (OIDC)" enterprise SSO connector at sign-in, as logto-io/logto
 * packages/core/src/sso/OidcConnector (index.ts, utils.ts) and AzureOidcSsoConnector/index.ts do it:
 * discovery from the configured issuer, the authorization URL (state, nonce, `openid profile email` plus the
 * configured scopes), the code exchanged at the token endpoint with the client id and secret in HTTP Basic,
 * the ID token checked against the issuer's key set, issuer (`{tenantid}` replaced by the token's `tid`),
 * audience, lifetime, `iat` within 10 minutes and nonce, the userinfo claims merged over it, and the email kept
 * only when verified or `trustUnverifiedEmail` is on (else as `unverifiedEmail`). Failures are Logto's
 * `connector.*` errors (500) carrying what went wrong, the IdP's answer included.
 */
import { createPublicKey, randomBytes, verify, type JsonWebKey } from "node:crypto";

import { discoverIssuer, type DiscoveredEndpoints } from "../discovery";
import { isPlainObject } from "../json";
import { send, type Fetched, type OutboundOptions } from "../outbound";
import type { SsoConnectorRow } from "../state";
import { RequestError } from "./errors";

/** What the connector keeps in the interaction between the redirect to the IdP and the callback (types/session.ts). */
export interface ConnectorSession {
  state: string;
  redirectUri: string;
  connectorId: string;
  nonce: string;
}

export interface EnterpriseUserInfo {
  /** The IdP's `sub`. */
  id: string;
  name?: string;
  avatar?: string;
  email?: string;
  unverifiedEmail?: string;
  [claim: string]: unknown;
}

interface OidcConfig {
  clientId: string;
  clientSecret: string;
  issuer: string;
  scope: string;
  trustUnverifiedEmail: boolean;
}

const connectorError = (
  code: "invalid_config" | "authorization_failed" | "invalid_request_parameters",
  data: Record<string, unknown>,
): RequestError => new RequestError(500, `connector.${code}`, { ssoErrorCode: code, ...data });

const authorizationFailed = (message: string, more: Record<string, unknown> = {}): RequestError =>
  connectorError("authorization_failed", { message, ...more });

/** types/oidc.ts `scopePostProcessor`: openid, profile and email always, then the configured ones. */
function scopeOf(scope: unknown): string {
  const configured = typeof scope === "string" ? scope.split(/[ +]/).filter(Boolean) : [];
  return [...new Set(["openid", "profile", "email", ...configured])].join(" ");
}

function configOf(connector: SsoConnectorRow): OidcConfig {
  const { clientId, clientSecret, issuer, scope, trustUnverifiedEmail } = connector.config;
  if (typeof clientId !== "string" || typeof clientSecret !== "string" || typeof issuer !== "string") {
    throw connectorError("invalid_config", { config: { issuer }, message: "invalid_connector_config" });
  }
  return { clientId, clientSecret, issuer, scope: scopeOf(scope), trustUnverifiedEmail: trustUnverifiedEmail === true };
}

async function endpointsOf(config: OidcConfig, options: OutboundOptions): Promise<DiscoveredEndpoints> {
  const discovered = await discoverIssuer(config.issuer, options);
  if (!discovered.ok) throw new RequestError(500, "connector.invalid_config", discovered.failure);
  return discovered.endpoints;
}

/** OidcConnector.getAuthorizationUrl. */
export async function authorizationUrl(
  connector: SsoConnectorRow,
  endpoint: string,
  options: OutboundOptions,
): Promise<{ url: string; session: ConnectorSession }> {
  const config = configOf(connector);
  const endpoints = await endpointsOf(config, options);
  const session: ConnectorSession = {
    // The experience client's state and Logto's nonce (generateStandardId: 21 characters).
    state: randomBytes(12).toString("base64url"),
    nonce: randomBytes(16).toString("base64url").slice(0, 21),
    redirectUri: `${endpoint}/callback/${connector.id}`,
    connectorId: connector.id,
  };
  const query = new URLSearchParams({
    state: session.state,
    nonce: session.nonce,
    client_id: config.clientId,
    response_type: "code",
    redirect_uri: session.redirectUri,
    scope: config.scope,
  });
  return { url: `${endpoints.authorizationEndpoint}?${query.toString()}`, session };
}

/** got's error, as Logto puts it in the error data: the response body for an HTTP error, else the request error. */
function failureOf(fetched: Fetched, url: string): unknown {
  return fetched.kind === "response" ? fetched.text : { code: fetched.code, name: "RequestError", options: { url } };
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** utils.ts `fetchToken`: the code at the token endpoint, client credentials in HTTP Basic. */
async function fetchToken(
  config: OidcConfig,
  endpoints: DiscoveredEndpoints,
  code: string,
  redirectUri: string,
  options: OutboundOptions,
) {
  const fetched = await send(endpoints.tokenEndpoint, options, {
    method: "POST",
    headers: {
      authorization: `Basic ${Buffer.from(`${config.clientId}:${config.clientSecret}`, "utf8").toString("base64")}`,
      "content-type": "application/x-www-form-urlencoded",
    },
    body: new URLSearchParams({ grant_type: "authorization_code", code, redirect_uri: redirectUri }).toString(),
  });
  if (fetched.kind === "error" || fetched.status < 200 || fetched.status >= 300) {
    throw authorizationFailed("Fail to fetch token", { error: failureOf(fetched, endpoints.tokenEndpoint) });
  }
  const body = parseJson(fetched.text);
  if (!isPlainObject(body) || typeof body.id_token !== "string") {
    throw authorizationFailed("Invalid token response", { response: fetched.text });
  }
  return { idToken: body.id_token, accessToken: typeof body.access_token === "string" ? body.access_token : undefined };
}

/** jose's errors as they serialise into Logto's error data. */
const joseError = (code: string, more: Record<string, unknown> = {}) => ({ code, ...more });

function decodeSegment(segment: string | undefined): Record<string, unknown> | undefined {
  const value = parseJson(Buffer.from(segment ?? "", "base64url").toString("utf8"));
  return isPlainObject(value) ? value : undefined;
}

const signatureOptions: Record<string, { hash: string; ec: boolean }> = {
  RS256: { hash: "sha256", ec: false },
  ES256: { hash: "sha256", ec: true },
  ES384: { hash: "sha384", ec: true },
};

/** jose `jwtVerify` with a remote key set, for the algorithms an Entra tenant signs with. */
async function verifiedClaims(
  idToken: string,
  keySetUrl: string,
  expected: { issuer: string; audience: string },
  options: OutboundOptions,
) {
  const [head, payload, signature] = idToken.split(".");
  const header = decodeSegment(head);
  const claims = decodeSegment(payload);
  if (!header || !claims || signature === undefined)
    throw authorizationFailed("Fail to verify id_token", { error: joseError("ERR_JWS_INVALID") });
  const fetched = await send(keySetUrl, options);
  const keySet = fetched.kind === "response" && fetched.status === 200 ? parseJson(fetched.text) : undefined;
  if (!isPlainObject(keySet) || !Array.isArray(keySet.keys))
    throw authorizationFailed("Fail to verify id_token", { error: joseError("ERR_JWKS_INVALID") });
  const algorithm = typeof header.alg === "string" ? signatureOptions[header.alg] : undefined;
  const jwk = keySet.keys.find(
    (key): key is JsonWebKey => isPlainObject(key) && (header.kid === undefined || key.kid === header.kid),
  );
  if (!algorithm || !jwk)
    throw authorizationFailed("Fail to verify id_token", { error: joseError("ERR_JWKS_NO_MATCHING_KEY") });
  const key = createPublicKey({ key: jwk, format: "jwk" });
  const signed = verify(
    algorithm.hash,
    Buffer.from(`${head}.${payload}`),
    algorithm.ec ? { key, dsaEncoding: "ieee-p1363" } : key,
    Buffer.from(signature, "base64url"),
  );
  if (!signed)
    throw authorizationFailed("Fail to verify id_token", { error: joseError("ERR_JWS_SIGNATURE_VERIFICATION_FAILED") });

  const now = Math.floor(Date.now() / 1000);
  const claimFailed = (claim: string) =>
    authorizationFailed("Fail to verify id_token", {
      error: joseError("ERR_JWT_CLAIM_VALIDATION_FAILED", { claim, reason: "check_failed" }),
    });
  if (claims.iss !== expected.issuer) throw claimFailed("iss");
  const audiences = Array.isArray(claims.aud) ? claims.aud : [claims.aud];
  if (!audiences.includes(expected.audience)) throw claimFailed("aud");
  if (typeof claims.exp === "number" && claims.exp <= now)
    throw authorizationFailed("Fail to verify id_token", { error: joseError("ERR_JWT_EXPIRED", { claim: "exp" }) });
  if (typeof claims.nbf === "number" && claims.nbf > now) throw claimFailed("nbf");
  return claims;
}

// utils.ts `issuedAtTimeTolerance`.
const issuedAtToleranceSeconds = 600;

/** AzureOidcSsoConnector.getUserInfo: the callback's code to the user's claims. */
export async function enterpriseUserInfo(
  connector: SsoConnectorRow,
  session: ConnectorSession,
  callback: Record<string, string>,
  options: OutboundOptions,
): Promise<{ issuer: string; userInfo: EnterpriseUserInfo }> {
  const config = configOf(connector);
  const endpoints = await endpointsOf(config, options);
  if (typeof callback.code !== "string" || callback.code === "") {
    throw connectorError("invalid_request_parameters", {
      url: endpoints.tokenEndpoint,
      params: callback,
      error: { formErrors: [], fieldErrors: { code: ["Required"] } },
    });
  }
  const { idToken, accessToken } = await fetchToken(config, endpoints, callback.code, session.redirectUri, options);

  // A multi-tenant app's issuer has the `{tenantid}` placeholder: the token's `tid` fills it.
  const tid = decodeSegment(idToken.split(".")[1])?.tid;
  const issuer =
    endpoints.issuer.includes("{tenantid}") && typeof tid === "string"
      ? endpoints.issuer.replace("{tenantid}", tid)
      : endpoints.issuer;
  const idTokenClaims = await verifiedClaims(
    idToken,
    endpoints.jwksUri,
    { issuer, audience: config.clientId },
    options,
  );
  if (Math.abs(Number(idTokenClaims.iat ?? 0) - Date.now() / 1000) > issuedAtToleranceSeconds) {
    throw authorizationFailed("id_token is expired", { response: idTokenClaims });
  }
  if (typeof idTokenClaims.sub !== "string") throw authorizationFailed("invalid id_token", { response: idTokenClaims });
  if (idTokenClaims.nonce && idTokenClaims.nonce !== session.nonce) throw authorizationFailed("nonce does not match");

  let userInfoClaims: Record<string, unknown> = {};
  if (endpoints.userinfoEndpoint && accessToken) {
    const fetched = await send(endpoints.userinfoEndpoint, options, {
      headers: { authorization: `Bearer ${accessToken}` },
    });
    if (fetched.kind === "error" || fetched.status < 200 || fetched.status >= 300) {
      throw authorizationFailed("Fail to fetch user info", { error: failureOf(fetched, endpoints.userinfoEndpoint) });
    }
    const body = parseJson(fetched.text);
    if (!isPlainObject(body) || typeof body.sub !== "string")
      throw authorizationFailed("Invalid user info response", { response: fetched.text });
    userInfoClaims = body;
  }
  // Userinfo claims win: in Entra some claims are only there.
  const { sub, name, picture, email, email_verified, phone, phone_verified, ...rest } = {
    ...idTokenClaims,
    ...userInfoClaims,
  };
  const text = (value: unknown): string | undefined => (typeof value === "string" && value !== "" ? value : undefined);
  const keepEmail = email_verified ?? config.trustUnverifiedEmail;
  const userInfo: EnterpriseUserInfo = {
    id: String(sub),
    ...(text(name) ? { name: text(name) } : {}),
    ...(text(picture) ? { avatar: text(picture) } : {}),
    ...(text(email) && keepEmail ? { email: text(email) } : {}),
    ...(text(phone) && phone_verified ? { phone: text(phone) } : {}),
    ...camelCased(rest),
    ...(text(email) && !email_verified && !config.trustUnverifiedEmail ? { unverifiedEmail: text(email) } : {}),
  };
  // The connector's issuer as configured (getIssuer): what the user's SSO identity is found by.
  return { issuer: config.issuer, userInfo };
}

function camelCased(claims: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(claims).map(([key, value]) => [
      key.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase()),
      value,
    ]),
  );
}
