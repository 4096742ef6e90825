/**
 * A Microsoft Entra ID (v2.0 endpoint) OIDC issuer stand-in on 127.0.0.1: per-tenant discovery documents
 * shaped like Entra's and a real RSA signing key set. Issuers are `${url}/${tenantId}/v2.0`, standing in for
 * `https://login.microsoftonline.com/${tenantId}/v2.0`. The authorization/token endpoints it advertises are
 * not served yet.
 */
import { createHash, generateKeyPairSync } from "node:crypto";
import http from "node:http";

import { closeServer, listenOnLoopback } from "../shared/loopback-server";

export interface EntraIssuerStandIn {
  /** "http://127.0.0.1:<port>", standing in for https://login.microsoftonline.com */
  url: string;
  /** The issuer a Logto connector is configured with for this tenant (no trailing slash). */
  issuerFor(tenantId: string): string;
  /** How many discovery documents were served so far. */
  readonly discoveryRequests: number;
  close(): Promise<void>;
}

interface PublicSigningKey {
  kty: "RSA";
  use: "sig";
  kid: string;
  n: string;
  e: string;
}

// Entra's multi-tenant aliases publish an issuer with a `{tenantid}` placeholder the client fills in.
const multiTenantAliases = new Set(["common", "organizations"]);

function createSigningKey(): PublicSigningKey {
  const { publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const { n, e } = publicKey.export({ format: "jwk" });
  if (typeof n !== "string" || typeof e !== "string") throw new Error("RSA public key export lacks n/e");
  // RFC 7638 thumbprint as the key id: stable for the key, like Entra's opaque kids.
  const kid = createHash("sha256").update(JSON.stringify({ e, kty: "RSA", n })).digest("base64url");
  return { kty: "RSA", use: "sig", kid, n, e };
}

function issuerOf(origin: string, tenantId: string): string {
  return `${origin}/${multiTenantAliases.has(tenantId) ? "{tenantid}" : tenantId}/v2.0`;
}

/** The fields of Entra's `/{tenant}/v2.0/.well-known/openid-configuration`, pointing at this stand-in. */
function openIdConfiguration(origin: string, tenantId: string): Record<string, unknown> {
  const tenantBase = `${origin}/${tenantId}`;
  return {
    token_endpoint: `${tenantBase}/oauth2/v2.0/token`,
    token_endpoint_auth_methods_supported: ["client_secret_post", "private_key_jwt", "client_secret_basic"],
    jwks_uri: `${tenantBase}/discovery/v2.0/keys`,
    response_modes_supported: ["query", "fragment", "form_post"],
    subject_types_supported: ["pairwise"],
    id_token_signing_alg_values_supported: ["RS256"],
    response_types_supported: ["code", "id_token", "code id_token", "id_token token"],
    scopes_supported: ["openid", "profile", "email", "offline_access"],
    issuer: issuerOf(origin, tenantId),
    request_uri_parameter_supported: false,
    // Entra points at Microsoft Graph (https://graph.microsoft.com/oidc/userinfo); here the same path on this origin.
    userinfo_endpoint: `${origin}/oidc/userinfo`,
    authorization_endpoint: `${tenantBase}/oauth2/v2.0/authorize`,
    device_authorization_endpoint: `${tenantBase}/oauth2/v2.0/devicecode`,
    http_logout_supported: true,
    frontchannel_logout_supported: true,
    end_session_endpoint: `${tenantBase}/oauth2/v2.0/logout`,
    claims_supported: [
      "sub", "iss", "cloud_instance_name", "cloud_instance_host_name", "cloud_graph_host_name", "msgraph_host", "aud",
      "exp", "iat", "auth_time", "acr", "nonce", "preferred_username", "name", "tid", "ver", "at_hash", "c_hash", "email",
    ],
    cloud_instance_name: "microsoftonline.com",
    cloud_graph_host_name: "graph.windows.net",
    msgraph_host: "graph.microsoft.com",
  };
}

function sendJson(response: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    "content-type": "application/json; charset=utf-8",
    "content-length": String(Buffer.byteLength(text)),
  });
  response.end(text);
}

const discoveryPath = /^\/([A-Za-z0-9._-]+)\/v2\.0\/\.well-known\/openid-configuration$/;
const keysPath = /^\/([A-Za-z0-9._-]+)\/discovery\/v2\.0\/keys$/;

export async function startEntraIssuerStandIn(): Promise<EntraIssuerStandIn> {
  const signingKey = createSigningKey();
  let discoveryRequests = 0;
  let origin = "";

  const server = http.createServer((request, response) => {
    const { pathname } = new URL(request.url ?? "/", origin);
    const discovery = discoveryPath.exec(pathname);
    const keys = keysPath.exec(pathname);
    if (request.method === "GET" && discovery) {
      discoveryRequests += 1;
      sendJson(response, 200, openIdConfiguration(origin, discovery[1]));
    } else if (request.method === "GET" && keys) {
      sendJson(response, 200, { keys: [{ ...signingKey, issuer: issuerOf(origin, keys[1]) }] });
    } else {
      sendJson(response, 404, {
        error: "not_found",
        error_description: `The Entra issuer stand-in serves discovery and keys only, not ${request.method} ${pathname}.`,
      });
    }
  });
  origin = await listenOnLoopback(server);

  return {
    url: origin,
    issuerFor: (tenantId) => `${origin}/${tenantId}/v2.0`,
    get discoveryRequests() {
      return discoveryRequests;
    },
    close: () => closeServer(server),
  };
}
