import { createRequire } from "node:module";
import type { AxiosInstance, AxiosResponse, AxiosStatic } from "axios";
import { createOnce } from "./createOnce";
import { apiError, isLogtoApiError, isNotFound } from "./errors";
import { discoveryPath, publicOriginOf } from "./publicOrigin";
import { AttemptResult, attempt, withRetries } from "./retryPolicy";
import type { Answer, ApiPath, HttpMethod, PathParams, RequestBody } from "./managementApi";
import type { ManagementApiSettings } from "./settings";
import { createTokenCache } from "./tokenCache";
import { isLoopbackHostname } from "./validation";

// Node's own loader, also under Vitest (whose imports are transformed modules). axios is loaded by the first
// request, not with this module: a preview sends none, and loading axios costs a provider process 130–150 ms of
// CPU (bench/README.md).
const nodeRequire = createRequire(__filename);
const nodeHttp = nodeRequire("node:http") as typeof import("node:http");
const nodeHttps = nodeRequire("node:https") as typeof import("node:https");

/** One Management API call, typed by its route in Logto's OpenAPI document. */
export type ApiRequest<P extends ApiPath, M extends HttpMethod> = {
  method: M;
  /** The route as the document names it: `/api/sso-connectors/{id}`. */
  path: P;
  /** Logto's search keys (`search`, `search.name`) are outside the document's parameter names. */
  query?: Record<string, string | number>;
  body?: RequestBody<P, M>;
  /** What is being done, for error messages: `creating SSO connector "contoso"`. */
  action: string;
  /** Values that must never appear in an error message (secrets sent in the body). */
  sensitiveValues?: string[];
} & ([PathParams<P, M>] extends [never] ? { params?: undefined } : { params: PathParams<P, M> });

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

/** The route with its `{name}` parts filled in. */
function pathOf(route: string, params: Record<string, string> | undefined): string {
  return route.replace(/\{(\w+)\}/g, (_, name: string) => encodeURIComponent(params?.[name] ?? ""));
}

function flattenHeaders(headers: AxiosResponse["headers"]): Record<string, string> {
  const present = Object.entries(headers ?? {}).filter(([, value]) => value !== undefined && value !== null);
  return Object.fromEntries(present.map(([name, value]) => [name.toLowerCase(), String(value)]));
}

/**
 * Another host: no `proxy` option, so axios honours HTTPS_PROXY / HTTP_PROXY / NO_PROXY from the environment,
 * as the azuread, docker and command providers do behind a corporate egress proxy (https is tunnelled with
 * CONNECT, so the proxy sees no credential). This machine: always direct, whatever NO_PROXY says, because
 * http to loopback is allowed and a proxy would receive the M2M secret and the token in clear; own agents,
 * so Node's NODE_USE_ENV_PROXY (which acts through the global agents) does not apply either.
 */
function proxyOptions(endpoint: string): { proxy?: false; httpAgent?: unknown; httpsAgent?: unknown } {
  if (!isLoopbackHostname(new URL(endpoint).hostname)) return {};
  return {
    proxy: false,
    httpAgent: new nodeHttp.Agent({ keepAlive: true }),
    httpsAgent: new nodeHttps.Agent({ keepAlive: true }),
  };
}

/**
 * Creates a client bound to one set of settings; its token is cached for its whole life. `errorNote` is added
 * to every error it reports (why this endpoint, when it is not the configured one).
 */
export function createManagementClient(settings: ManagementApiSettings, errorNote?: string) {
  let instance: AxiosInstance | undefined;
  const http = (): AxiosInstance =>
    (instance ??= (nodeRequire("axios") as AxiosStatic).create({
      baseURL: settings.endpoint,
      timeout: settings.requestTimeoutMs,
      validateStatus: () => true,
      maxRedirects: 0,
      ...proxyOptions(settings.endpoint),
    }));
  const tokens = createTokenCache(settings, http);

  async function send<P extends ApiPath, M extends HttpMethod>(
    request: ApiRequest<P, M>,
  ): Promise<ApiResponse<Answer<P, M>>> {
    try {
      return await sendOnce(request);
    } catch (error) {
      if (!errorNote || !isLogtoApiError(error)) throw error;
      throw apiError(`${error.message} ${errorNote}`, error);
    }
  }

  async function sendOnce<P extends ApiPath, M extends HttpMethod>(
    request: ApiRequest<P, M>,
  ): Promise<ApiResponse<Answer<P, M>>> {
    const sensitive = [settings.m2mAppSecret, ...(request.sensitiveValues ?? [])];
    let refreshedAfter401 = false;
    const perform = async (): Promise<AttemptResult> => {
      const bearer = await tokens.get();
      const result = await attempt(http(), {
        method: request.method,
        url: pathOf(request.path, request.params as Record<string, string> | undefined),
        params: request.query,
        data: request.body,
        headers: { authorization: `Bearer ${bearer}` },
      });
      // A token can be revoked or expire early (server restart, clock skew): fetch a new one, once.
      if (result.kind === "response" && result.response.status === 401 && !refreshedAfter401) {
        refreshedAfter401 = true;
        tokens.forget(bearer);
        return perform();
      }
      return result;
    };
    const response = await withRetries(settings, request.action, request.method !== "POST", perform, sensitive);
    return {
      status: response.status,
      data: response.data as Answer<P, M>,
      headers: flattenHeaders(response.headers),
    };
  }

  /** DELETEs the object; one that is gone already (404) counts as deleted. */
  async function deleteIfPresent<P extends ApiPath>(request: Omit<ApiRequest<P, "DELETE">, "method">): Promise<void> {
    try {
      await send({ ...request, method: "DELETE" } as ApiRequest<P, "DELETE">);
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** An unauthenticated GET of Logto's OIDC side (discovery, keys), with the usual retries. */
  async function getPublic<T>(path: string, action: string): Promise<T> {
    const response = await withRetries(settings, action, true, () => attempt(http(), { method: "GET", url: path }), []);
    return response.data as T;
  }

  let discovered: Promise<string> | undefined;

  /** Logto's public origin, from the issuer of its OIDC discovery document (fetched once per client). */
  function publicOrigin(): Promise<string> {
    discovered ??= getPublic<{ issuer?: unknown }>(
      discoveryPath,
      `reading the OIDC discovery document ${settings.endpoint}${discoveryPath} (callback URIs are built from its issuer)`,
    ).then((document) => {
      if (typeof document?.issuer !== "string" || !/^https?:\/\//.test(document.issuer)) {
        throw apiError(
          `Logto: ${settings.endpoint}${discoveryPath} answered without an http(s) issuer: check that logto:endpoint is a Logto origin.`,
          {},
        );
      }
      return publicOriginOf(document.issuer);
    });
    discovered.catch(() => (discovered = undefined));
    return discovered;
  }

  /**
   * The tenant's OIDC signing keys (`/oidc/jwks`), one text per key, or undefined when this address does not
   * answer with them: two addresses of one Logto tenant publish the same keys, two tenants never do.
   */
  async function signingKeys(): Promise<string[] | undefined> {
    try {
      const { keys } = await getPublic<{ keys?: unknown }>("/oidc/jwks", `reading ${settings.endpoint}/oidc/jwks`);
      if (!Array.isArray(keys)) return undefined;
      // The public key material only (kid, kty, crv, x, y, n, e), in a fixed order.
      return keys.map((key: Record<string, unknown>) =>
        JSON.stringify(["kid", "kty", "crv", "x", "y", "n", "e"].map((field) => key?.[field] ?? null)),
      );
    } catch (error) {
      if (isLogtoApiError(error)) return undefined;
      throw error;
    }
  }

  const sharedAnswers = new Map<string, Promise<unknown>>();

  /**
   * GETs `path` once for this client's life (one provider process, one engine operation): later calls get the
   * same body, in flight or done. For lists that many calls need and that are costly for Logto to answer; the
   * caller keeps the body true to its own writes (`sharedAnswer`). A failed GET is not shared.
   */
  function sharedGet<P extends ApiPath>(path: P, action: string): Promise<Answer<P, "GET">> {
    const shared = sharedAnswers.get(path);
    if (shared) return shared as Promise<Answer<P, "GET">>;
    const body = send({ method: "GET", path, action } as ApiRequest<P, "GET">).then((response) => response.data);
    sharedAnswers.set(path, body);
    body.catch(() => sharedAnswers.delete(path));
    return body;
  }

  /** The shared answer for `path` if one is held (to keep it true to this client's own writes), else undefined. */
  function sharedAnswer<P extends ApiPath>(path: P): Promise<Answer<P, "GET">> | undefined {
    return sharedAnswers.get(path) as Promise<Answer<P, "GET">> | undefined;
  }

  return {
    endpoint: settings.endpoint,
    send,
    /**
     * POSTs a create whose outcome may be lost (connection dropped, gateway timeout). Before sending again it
     * asks `findExisting` whether the first attempt went through, so a lost answer never makes a duplicate.
     */
    createOnce: <P extends ApiPath, T>(request: ApiRequest<P, "POST">, findExisting: () => Promise<T | undefined>) =>
      createOnce<Answer<P, "POST"> | T>(settings, async () => (await send(request)).data, findExisting),
    deleteIfPresent,
    sharedGet,
    sharedAnswer,
    publicOrigin,
    signingKeys,
  } as const;
}

export type ManagementClient = ReturnType<typeof createManagementClient>;
