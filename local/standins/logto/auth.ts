import { ApiError, type Reply } from "./http";
import { newAccessToken } from "./ids";
import { isPlainObject } from "./json";
import { logtoOidcErrorBody } from "./sign-in/errors";

/** The Management API resource indicator of a self-hosted Logto (00-*); Logto Cloud uses `https://{tenant}.logto.app/api`. */
export const managementApiResource = "https://default.logto.app/api";

interface IssuedToken {
  expiresAt: number;
  scopeAll: boolean;
}

function unauthorized(jwtErrorCode: string, jwtErrorName: string): ApiError {
  return new ApiError(401, {
    code: "auth.unauthorized",
    data: { code: jwtErrorCode, name: jwtErrorName },
    message: "Unauthorized. Please check credentials and its scope.",
  });
}

/** Opaque access tokens standing in for Logto's JWTs, with the same 401/403 answers (16-*, 29c). */
export class TokenStore {
  private readonly live = new Map<string, IssuedToken>();
  private readonly revoked = new Set<string>();

  constructor(private readonly ttlSeconds: number) {}

  issue(scopeAll: boolean): string {
    const token = newAccessToken();
    this.live.set(token, { expiresAt: Date.now() + this.ttlSeconds * 1000, scopeAll });
    return token;
  }

  /** Like rotating Logto's signing keys: every token issued so far stops working. */
  revokeAll(): void {
    for (const token of this.live.keys()) this.revoked.add(token);
    this.live.clear();
  }

  /** Throws the error Logto answers unless `authorization` carries a live token with `scope=all`. */
  authorize(authorization: string | undefined): void {
    if (authorization === undefined) {
      throw new ApiError(401, {
        code: "auth.authorization_header_missing",
        message: "Authorization header is missing.",
      });
    }
    const match = /^Bearer (\S+)$/.exec(authorization);
    if (!match) {
      throw new ApiError(401, {
        code: "auth.authorization_token_type_not_supported",
        message: "Authorization type is not supported.",
      });
    }
    const token = match[1];
    if (this.revoked.has(token))
      throw unauthorized("ERR_JWS_SIGNATURE_VERIFICATION_FAILED", "JWSSignatureVerificationFailed");
    const issued = this.live.get(token);
    if (!issued) throw unauthorized("ERR_JWS_INVALID", "JWSInvalid");
    if (issued.expiresAt <= Date.now()) {
      this.live.delete(token);
      throw unauthorized("ERR_JWT_EXPIRED", "JWTExpired");
    }
    if (!issued.scopeAll) {
      throw new ApiError(403, {
        code: "auth.forbidden",
        message: "Forbidden. Please check your user roles and permissions.",
      });
    }
  }
}

const noStore = { "cache-control": "no-store" };

function oidcError(status: number, error: string, description: string, headers: Record<string, string> = {}): ApiError {
  // Logto has texts for some OIDC errors (29d); the others get the generic one (29).
  const { code, message } = logtoOidcErrorBody({ error, error_description: description });
  return new ApiError(status, { code, message, error, error_description: description }, { ...noStore, ...headers });
}

function basicCredentials(authorization: string | undefined): { id: string; secret: string } | undefined {
  const match = /^Basic (\S+)$/.exec(authorization ?? "");
  if (!match) return undefined;
  const decoded = Buffer.from(match[1], "base64").toString("utf8");
  const separator = decoded.indexOf(":");
  if (separator < 0) throw oidcError(400, "invalid_request", "invalid authorization header value format");
  try {
    // RFC 6749 2.3.1: both parts are form-urlencoded before base64.
    return {
      id: decodeURIComponent(decoded.slice(0, separator)),
      secret: decodeURIComponent(decoded.slice(separator + 1)),
    };
  } catch {
    throw oidcError(
      400,
      "invalid_request",
      "client_id and client_secret in the authorization header are not properly encoded",
    );
  }
}

export interface TokenRequest {
  params: unknown;
  contentType: string;
  authorization: string | undefined;
  issuer: string;
}

/** POST /oidc/token, client_credentials only (00-*, 29-*). */
export interface ClientCredentials {
  id: string;
  secret: string;
}

export function issueClientCredentialsToken(
  request: TokenRequest,
  m2mApp: ClientCredentials,
  tokens: TokenStore,
  ttlSeconds: number,
  /** The Management API resource indicator: `managementApiResource`, or a Logto Cloud tenant's. */
  resource: string,
): Reply {
  // oidc-provider reads form bodies only; anything else arrives without parameters.
  const params: Record<string, unknown> =
    request.contentType.startsWith("application/x-www-form-urlencoded") && isPlainObject(request.params)
      ? request.params
      : {};
  const text = (key: string): string | undefined => {
    const value = params[key];
    return typeof value === "string" ? value : undefined;
  };

  const basic = basicCredentials(request.authorization);
  if (basic && (text("client_id") !== undefined || text("client_secret") !== undefined)) {
    throw oidcError(400, "invalid_request", "client authentication must only be provided using one mechanism");
  }
  const clientId = basic?.id ?? text("client_id");
  const clientSecret = basic?.secret ?? text("client_secret");
  if (clientId === undefined) throw oidcError(400, "invalid_request", "no client authentication mechanism provided");

  if (clientId !== m2mApp.id || clientSecret !== m2mApp.secret) {
    const challenge: Record<string, string> = basic
      ? {
          "www-authenticate": `Basic realm="${request.issuer}", error="invalid_client", error_description="client authentication failed"`,
        }
      : {};
    throw oidcError(401, "invalid_client", "client authentication failed", challenge);
  }

  const grantType = text("grant_type");
  if (grantType === undefined) throw oidcError(400, "invalid_request", "missing required parameter 'grant_type'");
  if (grantType !== "client_credentials")
    throw oidcError(400, "unsupported_grant_type", "unsupported grant_type requested");
  if (text("resource") !== resource) {
    throw oidcError(400, "invalid_target", "resource indicator is missing, or unknown");
  }
  const scopes = (text("scope") ?? "").split(" ").filter(Boolean);
  if (scopes.some((scope) => scope !== "all")) throw oidcError(400, "invalid_scope", "requested scope is not allowed");

  const scopeAll = scopes.includes("all");
  const body = {
    access_token: tokens.issue(scopeAll),
    expires_in: ttlSeconds,
    token_type: "Bearer",
    ...(scopeAll ? { scope: "all" } : {}),
  };
  return { status: 200, body, headers: noStore };
}
