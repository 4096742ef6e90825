/**
 * Bearer tokens on Graph: only tokens this stand-in signed, for this Graph (audience), not expired; the
 * token's `tid` picks the directory. Failures answer Graph's 401 `InvalidAuthenticationToken` messages.
 */
import { GraphError } from "../errors";
import { verifyJwt, type SigningKey } from "../jwt";
import { microsoftGraphAppId } from "../microsoft-graph";
import type { TenantDirectory } from "../state";
import type { Caller } from "./context";

export interface Authenticated {
  tenant: TenantDirectory;
  caller: Caller;
}

function unauthenticated(origin: string, message: string): GraphError {
  return new GraphError(401, "InvalidAuthenticationToken", message, {
    "www-authenticate": `Bearer realm="", authorization_uri="${origin}/common/oauth2/authorize", client_id="${microsoftGraphAppId}"`,
  });
}

export function authenticate(
  authorization: string | undefined,
  origin: string,
  key: SigningKey,
  tenantOf: (tenantId: string) => TenantDirectory | undefined,
): Authenticated {
  const token = /^Bearer\s+(\S+)$/i.exec(authorization ?? "")?.[1];
  if (!token) throw unauthenticated(origin, "Access token is empty.");
  const checked = verifyJwt(key, token);
  if (!checked.ok) {
    throw unauthenticated(
      origin,
      checked.problem === "malformed"
        ? "CompactToken parsing failed with error code: 80049217"
        : "Access token validation failure.",
    );
  }
  const { claims } = checked;
  if (claims.aud !== origin) throw unauthenticated(origin, "Access token validation failure. Invalid audience.");
  const now = Date.now() / 1000;
  if (typeof claims.exp !== "number" || claims.exp <= now)
    throw unauthenticated(origin, "Lifetime validation failed, the token is expired.");
  if (typeof claims.nbf === "number" && claims.nbf > now + 300)
    throw unauthenticated(origin, "Access token has expired or is not yet valid.");
  const tenant = typeof claims.tid === "string" ? tenantOf(claims.tid) : undefined;
  if (!tenant || typeof claims.oid !== "string" || typeof claims.appid !== "string") {
    throw unauthenticated(origin, "Access token validation failure.");
  }
  const roles = Array.isArray(claims.roles)
    ? claims.roles.filter((role): role is string => typeof role === "string")
    : [];
  return { tenant, caller: { objectId: claims.oid, appId: claims.appid, roles } };
}
