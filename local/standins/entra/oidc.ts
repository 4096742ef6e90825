/**
 * Entra's v2.0 OpenID Connect discovery for a tenant, pointing at this stand-in: the fields of
 * `https://login.microsoftonline.com/{tenant}/v2.0/.well-known/openid-configuration`, and the key set.
 * `common` and `organizations` publish the `{tenantid}` issuer placeholder a client fills in, as Entra's do.
 */
import type { PublicSigningKey } from "./jwt";

const multiTenantAliases = new Set(["common", "organizations"]);

export const isMultiTenantAlias = (tenant: string): boolean => multiTenantAliases.has(tenant);

export function issuerOf(origin: string, tenant: string): string {
  return `${origin}/${isMultiTenantAlias(tenant) ? "{tenantid}" : tenant}/v2.0`;
}

export function openIdConfiguration(origin: string, tenant: string): Record<string, unknown> {
  const tenantBase = `${origin}/${tenant}`;
  return {
    token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: issuerOf(origin, tenant),
    request_uri_parameter_supported: false,
    // Entra points at Microsoft Graph (https://graph.microsoft.com/oidc/userinfo); here the same path on this origin.
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub",
      "iss",
      "cloud_instance_name",
      "cloud_instance_host_name",
      "cloud_graph_host_name",
      "msgraph_host",
      "aud",
      "exp",
      "iat",
      "auth_time",
      "acr",
      "nonce",
      "preferred_username",
      "name",
      "tid",
      "ver",
      "at_hash",
      "c_hash",
      "email",
    ],
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
  };
}

export function keySet(origin: string, tenant: string, key: PublicSigningKey): Record<string, unknown> {
  return { keys: [{ ...key, issuer: issuerOf(origin, tenant) }] };
}
