/**
 * Redeeming an authorization code at `/{tenant}/oauth2/v2.0/token` (grant_type=authorization_code, client
 * secret in HTTP Basic or the form: v2-oauth2-auth-code-flow.md "Redeem a code for an access token"), the
 * tokens it answers (a v2.0 ID token, MicrosoftDocs/entra-docs id-token-claims-reference.md, and a v1.0 Graph
 * access token), and the UserInfo endpoint those access tokens are for (userinfo.md).
 */
import { createHash, randomBytes } from "node:crypto";

import type { Reply } from "../shared/exchange";
import { GraphError, LoginError } from "./errors";
import { signJwt, verifyJwt, type SigningKey } from "./jwt";
import { checkClientSecret, formField, missingParameter, noClientSecret, tokenForm, unknownApplication } from "./login";
import type { User } from "./objects";
import { findApplication, openIdScopes, type IssuedCode, type SignInContext } from "./sign-in";
import type { TenantDirectory } from "./state";

export interface RedeemRequest {
  context: SignInContext;
  /** The tenant segment of the path: a tenant id, `organizations` or `common`. */
  authority: string;
  contentType: string;
  authorization: string | undefined;
  form: unknown;
  key: SigningKey;
  tokenTtlSeconds: number;
}

const invalidGrant = (aadsts: number, description: string): LoginError =>
  new LoginError(400, "invalid_grant", aadsts, description);

/** Client id and secret from HTTP Basic (RFC 6749 2.3.1) or the form. */
function clientCredentials(
  authorization: string | undefined,
  form: Record<string, unknown>,
): { clientId?: string; clientSecret?: string } {
  const basic = /^Basic\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (basic === undefined)
    return { clientId: formField(form, "client_id"), clientSecret: formField(form, "client_secret") };
  const decoded = Buffer.from(basic, "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text.replace(/\+/g, "%20"));
    } catch {
      return text;
    }
  };
  return separator < 0
    ? {}
    : { clientId: decode(decoded.slice(0, separator)), clientSecret: decode(decoded.slice(separator + 1)) };
}

/**
 * The pairwise `sub`: "unique to a particular application ID" and "based on a combination of the token
 * recipient, tenant, and user" (id-token-claims-reference.md); 43 base64url characters like Entra's.
 */
export function pairwiseSubject(appId: string, tenantId: string, userId: string): string {
  return createHash("sha256")
    .update(`${appId.toLowerCase()}|${tenantId.toLowerCase()}|${userId}`)
    .digest("base64url")
    .slice(0, 43);
}

function verifierMatches(code: IssuedCode, verifier: string | undefined): boolean {
  if (code.codeChallenge === undefined) return true;
  if (verifier === undefined) return false;
  const expected =
    code.codeChallengeMethod === "S256" ? createHash("sha256").update(verifier).digest("base64url") : verifier;
  return expected === code.codeChallenge;
}

function idTokenClaims(
  origin: string,
  code: IssuedCode,
  user: User,
  now: number,
  ttl: number,
): Record<string, unknown> {
  const scopes = new Set(code.scopes);
  const tid = code.resourceTenantId;
  return {
    aud: code.clientId,
    iss: `${origin}/${tid}/v2.0`,
    iat: now,
    nbf: now,
    exp: now + ttl,
    ...(scopes.has("email") && user.mail ? { email: user.mail } : {}),
    ...(scopes.has("profile")
      ? { name: user.displayName ?? user.userPrincipalName, oid: user.id, preferred_username: user.userPrincipalName }
      : {}),
    ...(code.nonce === undefined ? {} : { nonce: code.nonce }),
    sub: pairwiseSubject(code.clientId, tid, user.id),
    tid,
    uti: randomBytes(16).toString("base64url"),
    ver: "2.0",
  };
}

/** A delegated Graph token (v1.0 claims, as Graph's tokens are) for the UserInfo endpoint and Graph. */
function graphAccessTokenClaims(
  origin: string,
  code: IssuedCode,
  user: User,
  appName: string | null,
  now: number,
  ttl: number,
): Record<string, unknown> {
  const issuer = `https://sts.windows.net/${code.resourceTenantId}/`;
  return {
    aud: origin,
    iss: issuer,
    iat: now,
    nbf: now,
    exp: now + ttl,
    app_displayname: appName,
    appid: code.clientId,
    appidacr: "1",
    idp: issuer,
    idtyp: "user",
    name: user.displayName,
    oid: user.id,
    scp: code.scopes.filter((scope) => scope !== "offline_access").join(" "),
    sub: pairwiseSubject(origin, code.resourceTenantId, user.id),
    tid: code.resourceTenantId,
    unique_name: user.userPrincipalName,
    upn: user.userPrincipalName,
    uti: randomBytes(16).toString("base64url"),
    ver: "1.0",
  };
}

/** POST `/{tenant}/oauth2/v2.0/token` with grant_type=authorization_code. */
export function redeemAuthorizationCode(request: RedeemRequest): Reply {
  const { context, key, tokenTtlSeconds } = request;
  const form = tokenForm(request.contentType, request.form);
  const { clientId, clientSecret } = clientCredentials(request.authorization, form);
  if (!clientId) throw missingParameter("client_id");
  if (!clientSecret) throw noClientSecret();
  const found = findApplication(context, clientId);
  if (!found) throw unknownApplication(clientId, request.authority);
  checkClientSecret(found.home, found.app, clientSecret);

  const value = formField(form, "code");
  if (!value) throw missingParameter("code");
  const code = context.flows.codes.get(value);
  const expired =
    "The provided authorization code or refresh token has expired due to inactivity. Send a new interactive authorization request for this user and resource.";
  if (!code || code.expiresAt <= Date.now()) throw invalidGrant(70008, expired);
  if (code.redeemed)
    throw invalidGrant(
      54005,
      "OAuth2 Authorization code was already redeemed, please retry with a new valid code or use an existing refresh token.",
    );
  const tenantMatches =
    request.authority === code.resourceTenantId || ["organizations", "common"].includes(request.authority);
  if (code.clientId !== clientId || !tenantMatches)
    throw invalidGrant(70000, "Provided grant is invalid or malformed.");
  if (formField(form, "redirect_uri") !== code.redirectUri) {
    throw invalidGrant(
      70000,
      "Provided grant is invalid or malformed: redirect_uri is not the one of the authorization request.",
    );
  }
  if (!verifierMatches(code, formField(form, "code_verifier"))) {
    throw invalidGrant(
      501481,
      "The Code_Verifier does not match the code_challenge supplied in the authorization request.",
    );
  }
  code.redeemed = true;

  const tenant = context.tenantOf(code.resourceTenantId);
  const user = tenant?.users.get(code.userId);
  if (!user) throw invalidGrant(50034, "The user account does not exist in the directory any more.");
  const now = Math.floor(Date.now() / 1000);
  const scopes = new Set(code.scopes);
  const graphScope = code.scopes
    .map((scope) => (openIdScopes.has(scope) ? scope : `${context.origin}/${scope}`))
    .join(" ");
  return {
    status: 200,
    headers: { "cache-control": "no-store, no-cache" },
    body: {
      token_type: "Bearer",
      scope: graphScope,
      expires_in: tokenTtlSeconds,
      ext_expires_in: tokenTtlSeconds,
      access_token: signJwt(
        key,
        graphAccessTokenClaims(context.origin, code, user, found.app.displayName, now, tokenTtlSeconds),
      ),
      // Refresh tokens are opaque to clients; the stand-in does not redeem them.
      ...(scopes.has("offline_access") ? { refresh_token: randomBytes(48).toString("base64url") } : {}),
      ...(scopes.has("openid")
        ? { id_token: signJwt(key, idTokenClaims(context.origin, code, user, now, tokenTtlSeconds)) }
        : {}),
    },
  };
}

function unauthenticated(message: string): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", message);
}

/** GET or POST `/oidc/userinfo` (Graph's), with a delegated token this stand-in issued. */
export function userInfo(
  authorization: string | undefined,
  origin: string,
  key: SigningKey,
  tenantOf: (tenantId: string) => TenantDirectory | undefined,
): Reply {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) throw unauthenticated("Access token is empty.");
  const checked = verifyJwt(key, token);
  if (!checked.ok)
    throw unauthenticated(
      checked.problem === "malformed"
        ? "CompactToken parsing failed with error code: 80049217"
        : "Access token validation failure.",
    );
  const { claims } = checked;
  if (claims.aud !== origin) throw unauthenticated("Access token validation failure. Invalid audience.");
  if (typeof claims.exp !== "number" || claims.exp <= Date.now() / 1000)
    throw unauthenticated("Lifetime validation failed, the token is expired.");
  const user =
    typeof claims.tid === "string" && typeof claims.oid === "string"
      ? tenantOf(claims.tid)?.users.get(claims.oid)
      : undefined;
  if (claims.idtyp !== "user" || !user || typeof claims.appid !== "string" || typeof claims.tid !== "string") {
    throw unauthenticated("Access token validation failure.");
  }
  const scopes = new Set((typeof claims.scp === "string" ? claims.scp : "").split(" "));
  return {
    status: 200,
    body: {
      sub: pairwiseSubject(claims.appid, claims.tid, user.id),
      ...(scopes.has("profile")
        ? {
            name: user.displayName ?? user.userPrincipalName,
            ...(user.surname ? { family_name: user.surname } : {}),
            ...(user.givenName ? { given_name: user.givenName } : {}),
            picture: `${origin}/v1.0/me/photo/$value`,
          }
        : {}),
      ...(scopes.has("email") && user.mail ? { email: user.mail } : {}),
    },
  };
}
