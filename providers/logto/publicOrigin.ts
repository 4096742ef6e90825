/**
 * The address users' browsers see Logto at, and the callback URIs built from it. Logto's sign-in page sends the
 * IdP `redirect_uri = {window.location.origin}/callback/{connectorId}` (logto-io/logto
 * packages/experience/src/hooks/use-single-sign-on.ts), and browsers reach that page under the issuer Logto
 * publishes at `{endpoint}/oidc/.well-known/openid-configuration`, which is `{its ENDPOINT}/oidc`
 * (packages/core/src/env-set/index.ts; a Logto Cloud custom domain has its own). The Management API address
 * (logto:endpoint) may be another one: an internal address, a tunnel.
 */

/** The discovery path under a Logto endpoint. */
export const discoveryPath = "/oidc/.well-known/openid-configuration";

/** Logto's public origin from its discovery `issuer`: the issuer without its `/oidc`, no trailing slash. */
export function publicOriginOf(issuer: string): string {
  const url = new URL(issuer);
  const base = url.pathname.replace(/\/+$/, "").replace(/\/oidc$/, "");
  return `${url.origin}${base}`;
}

/** The redirect URI an IdP must allow for a connector: `{public origin}/callback/{connectorId}`. */
export function callbackUriFor(publicOrigin: string, connectorId: string): string {
  return `${publicOrigin}/callback/${connectorId}`;
}

/**
 * The origins whose callback URIs stay registered besides the current one after a check: the ones kept so far
 * and the one Logto answered at until now (when it changed), less the current one and the retired ones.
 */
export function formerOriginsAfter(
  previous: { publicOrigin?: string; formerPublicOrigins?: readonly string[] },
  current: string,
  retired: readonly string[],
): string[] {
  const candidates = [
    ...(previous.formerPublicOrigins ?? []),
    ...(previous.publicOrigin ? [previous.publicOrigin] : []),
  ];
  return [...new Set(candidates)].filter((origin) => origin !== current && !retired.includes(origin));
}
