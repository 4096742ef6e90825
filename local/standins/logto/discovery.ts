import { setTimeout as sleep } from "node:timers/promises";

import { isPlainObject } from "./json";
import { send, type OutboundOptions } from "./outbound";

/** The part of an issuer's discovery document Logto keeps (camel-cased), in Logto's order. */
export interface DiscoveredEndpoints {
  authorizationEndpoint: string;
  tokenEndpoint: string;
  userinfoEndpoint: string;
  jwksUri: string;
  issuer: string;
}

/** `data` of Logto's 400 `connector.invalid_config` when discovery fails (06-*, 08c, 09b-5). */
export type DiscoveryFailure = {
  ssoErrorCode: "invalid_config";
  config: { issuer: string };
  message: "fail_to_fetch_config" | "invalid_config_response";
  error: unknown;
};

export type DiscoveryResult = { ok: true; endpoints: DiscoveredEndpoints } | { ok: false; failure: DiscoveryFailure };

// got's retry policy as recorded in 06-*: these failures are retried, the others fail at once.
const retriedErrorCodes = new Set([
  "ETIMEDOUT",
  "ECONNRESET",
  "EADDRINUSE",
  "ECONNREFUSED",
  "EPIPE",
  "ENOTFOUND",
  "ENETUNREACH",
  "EAI_AGAIN",
]);
const retriedStatuses = new Set([408, 413, 429, 500, 502, 503, 504, 521, 522, 524]);

/** How discovery GETs go out: within `timeoutMs`, trusting `trustedCa` (PEMs) for https when given, else the system roots. */
export type DiscoveryOptions = OutboundOptions;

const requiredFields = ["authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri", "issuer"] as const;

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function endpointsFrom(text: string): DiscoveredEndpoints | { missing: string[] } | undefined {
  const document = parseJson(text);
  if (!isPlainObject(document)) return undefined;
  const missing = requiredFields.filter((field) => typeof document[field] !== "string");
  if (missing.length > 0) return { missing };
  const field = (name: (typeof requiredFields)[number]): string => String(document[name]);
  return {
    authorizationEndpoint: field("authorization_endpoint"),
    tokenEndpoint: field("token_endpoint"),
    userinfoEndpoint: field("userinfo_endpoint"),
    jwksUri: field("jwks_uri"),
    issuer: field("issuer"),
  };
}

/**
 * GET `${issuer}/.well-known/openid-configuration` as Logto does when a connector's config is saved or read.
 * Logto's HTTP client retries network errors for about 3 s before giving up; the stand-in makes one attempt
 * and, when it fails in a way Logto would retry, answers `timeoutMs` after it started. An https issuer whose
 * certificate is not trusted fails at once (got does not retry TLS errors), with the TLS error's code.
 */
export async function discoverIssuer(issuer: string, options: DiscoveryOptions): Promise<DiscoveryResult> {
  const { timeoutMs, signal } = options;
  const startedAt = Date.now();
  const url = `${issuer}/.well-known/openid-configuration`;
  const fetched = await send(url, options);
  const fail = (message: DiscoveryFailure["message"], error: unknown): DiscoveryResult => ({
    ok: false,
    failure: { ssoErrorCode: "invalid_config", config: { issuer }, message, error },
  });

  if (fetched.kind === "error" || retriedStatuses.has(fetched.status)) {
    const retried = fetched.kind === "response" || retriedErrorCodes.has(fetched.code);
    if (retried) await sleep(Math.max(0, startedAt + timeoutMs - Date.now()), undefined, { signal });
    if (fetched.kind === "response") return fail("fail_to_fetch_config", fetched.text);
    return fail("fail_to_fetch_config", { code: fetched.code, name: "RequestError", options: { method: "GET", url } });
  }
  if (fetched.status < 200 || fetched.status >= 300) return fail("fail_to_fetch_config", fetched.text);

  const endpoints = endpointsFrom(fetched.text);
  if (endpoints === undefined) {
    return fail("fail_to_fetch_config", {
      code: "ERR_BODY_PARSE_FAILURE",
      name: "ParseError",
      options: { method: "GET", url },
    });
  }
  if ("missing" in endpoints) {
    const fieldErrors = Object.fromEntries(endpoints.missing.map((field) => [field, ["Required"]]));
    return fail("invalid_config_response", { formErrors: [], fieldErrors });
  }
  return { ok: true, endpoints };
}
