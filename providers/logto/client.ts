import { createRequire } from "node:module";
import type * as pulumi from "@pulumi/pulumi";
import type { AxiosResponse, AxiosStatic } from "axios";
import { discoveryPath, publicOriginOf } from "./publicOrigin";
import { isLoopbackHostname } from "./validation";
import {
  ManagementApiSettings,
  cloudTenantOf,
  defaultManagementApiResource,
  managementApiResourceFor,
  resolveManagementApiSettings,
  settingSource,
} from "./settings";

// Loaded with Node's own loader: Pulumi's closure serialiser then writes `require("axios…")` into the
// provider text. Under Vitest a plain import is a transformed module that the serialiser would try (and
// fail) to copy by value.
const nodeRequire = createRequire(__filename);
const axios = nodeRequire("axios") as AxiosStatic;
const nodeHttp = nodeRequire("node:http") as typeof import("node:http");
const nodeHttps = nodeRequire("node:https") as typeof import("node:https");

export type HttpMethod = "GET" | "POST" | "PATCH" | "DELETE";

/** A failed Management API call, described in one line that names the action, Logto's code and the fix. */
export interface LogtoApiError extends Error {
  readonly kind: "logto-api-error";
  /** HTTP status, absent when no response arrived. */
  readonly status?: number;
  /** Logto's error code, e.g. `single_sign_on.forbidden_domains`. */
  readonly code?: string;
  /** True when the request may have been carried out although no answer arrived. */
  readonly outcomeUnknown: boolean;
  /**
   * With outcomeUnknown: the server may still be working on it (the client timed out, or a gateway did),
   * so it may yet be carried out after the error.
   */
  readonly mayStillRun: boolean;
}

export function isLogtoApiError(error: unknown): error is LogtoApiError {
  return error instanceof Error && (error as Partial<LogtoApiError>).kind === "logto-api-error";
}

/**
 * Logto's codes for "this object does not exist" (by id: `entity.not_exists_with_id`; app secrets by name:
 * `entity.not_found`). A 404 without one of them (a reverse proxy's page, a wrong path) says nothing about
 * the object, so it is an error like any other.
 */
const notExistsCodes: readonly string[] = ["entity.not_exists_with_id", "entity.not_found"];

export function isNotFound(error: unknown): boolean {
  return (
    isLogtoApiError(error) && error.status === 404 && error.code !== undefined && notExistsCodes.includes(error.code)
  );
}

export interface ApiRequest {
  method: HttpMethod;
  path: string;
  query?: Record<string, string | number>;
  body?: unknown;
  /** What is being done, for error messages: `creating SSO connector "contoso"`. */
  action: string;
  /** Values that must never appear in an error message (secrets sent in the body). */
  sensitiveValues?: string[];
}

export interface ApiResponse<T> {
  status: number;
  data: T;
  headers: Record<string, string>;
}

export interface ManagementClient {
  readonly endpoint: string;
  send<T>(request: ApiRequest): Promise<ApiResponse<T>>;
  /** DELETEs `path`; an object that is gone already (404) counts as deleted. */
  deleteIfPresent(path: string, action: string): Promise<void>;
  /**
   * POSTs a create whose outcome may be lost (connection dropped, gateway timeout). Before sending again it
   * asks `findExisting` whether the first attempt went through, so a lost answer never makes a duplicate.
   */
  createOnce<T>(request: ApiRequest, findExisting: () => Promise<T | undefined>): Promise<T>;
  /**
   * GETs `path`, or answers with the body of a GET of it begun less than `maxAgeMs` ago by this client (in
   * flight or done): for lists that many concurrent calls need and that are costly for Logto to answer. A
   * failed GET is not shared.
   */
  sharedGet<T>(path: string, action: string, maxAgeMs: number): Promise<T>;
  /** The shared answer for `path` if one is held (to keep it true to this client's own writes), else undefined. */
  sharedAnswer<T>(path: string): Promise<T> | undefined;
  /** Logto's public origin, from the issuer of its OIDC discovery document (fetched once per client). */
  publicOrigin(): Promise<string>;
  /**
   * The tenant's OIDC signing keys (`/oidc/jwks`), one text per key, or undefined when this address does not
   * answer with them: two addresses of one Logto tenant publish the same keys, two tenants never do.
   */
  signingKeys(): Promise<string[] | undefined>;
}

interface CachedToken {
  value: string;
  expiresAt: number;
}

interface ErrorBody {
  code?: unknown;
  message?: unknown;
  error_description?: unknown;
  data?: unknown;
}

/**
 * Failures that say the request never reached Logto: always safe to send again. Any other network failure
 * (reset, timeout) may have happened after Logto acted, so only idempotent requests are re-sent blindly.
 */
const notSentCodes: readonly string[] = ["ECONNREFUSED", "ENOTFOUND", "EAI_AGAIN", "EHOSTUNREACH", "ENETUNREACH"];
const tokenRefreshMarginMs = 60_000;
/** axios's codes for "gave up waiting": the request reached Logto, which may still be carrying it out. */
const timeoutCodes: readonly string[] = ["ECONNABORTED", "ETIMEDOUT"];

const hints: Record<string, string> = {
  "oidc.invalid_client":
    "Logto rejected the machine-to-machine credentials: check logto:m2mAppId and logto:m2mAppSecret.",
  "auth.forbidden":
    'The M2M app lacks Management API access: assign it the "Logto Management API access" role (scope all).',
  "auth.unauthorized": "The access token was refused: check the M2M app and the API resource.",
  "connector.invalid_config":
    "Logto could not load the issuer's /.well-known/openid-configuration: check the issuer (https://login.microsoftonline.com/<tenant-id>/v2.0, no trailing slash), that Logto can reach it, and that clientId, clientSecret and issuer are all set.",
  "single_sign_on.forbidden_domains": "Remove public email domains from the connector's domains.",
  "single_sign_on.duplicated_domains": "List each email domain once.",
  "single_sign_on.duplicate_connector_name":
    "Choose another connectorName, or set adoptExisting: true to manage the existing connector.",
  "request.feature_not_supported":
    "This Logto server does not support the requested feature: token storage needs a secret vault key on the server; turn enableTokenStorage off or configure the vault.",
  "application.secret_name_exists": "An application secret with this name exists already.",
  "connector.not_found": "Unknown providerName: use AzureAdOidc for Microsoft Entra ID (OIDC).",
};

/**
 * Where an error is explained: `docs/troubleshooting.md` has a section per Logto code, headed by the code, so
 * its anchor is GitHub's slug of it (lowercase; dots dropped, underscores kept).
 */
export function troubleshootingLink(section: string): string {
  return `see docs/troubleshooting.md#${section
    .toLowerCase()
    .replace(/[^a-z0-9_ -]/g, "")
    .replace(/ /g, "-")}`;
}

function redact(text: string, secrets: Array<string | undefined>): string {
  let out = text;
  for (const secret of secrets) {
    if (secret && secret.length >= 4) out = out.split(secret).join("[secret]");
  }
  return out;
}

/** Pulls the offending values out of Logto's error `data` (domain lists, Zod issues). */
function describeErrorData(data: unknown): string | undefined {
  if (typeof data !== "object" || data === null) return undefined;
  const record = data as Record<string, unknown>;
  if (Array.isArray(record.data) && record.data.every((v) => typeof v === "string")) {
    return `offending values: ${record.data.join(", ")}`;
  }
  if (Array.isArray(record.issues)) {
    const parts = record.issues.flatMap((issue: unknown) => {
      if (typeof issue !== "object" || issue === null) return [];
      const { path, message } = issue as { path?: unknown; message?: unknown };
      const where = Array.isArray(path) ? path.join(".") : "body";
      return [`${where}: ${String(message)}`];
    });
    if (parts.length > 0) return parts.join("; ");
  }
  return undefined;
}

function apiError(
  message: string,
  fields: { status?: number; code?: string; outcomeUnknown?: boolean; mayStillRun?: boolean },
): LogtoApiError {
  return Object.assign(new Error(message), {
    kind: "logto-api-error" as const,
    status: fields.status,
    code: fields.code,
    outcomeUnknown: fields.outcomeUnknown ?? false,
    mayStillRun: fields.mayStillRun ?? false,
  });
}

function errorFromResponse(action: string, response: AxiosResponse<unknown>): LogtoApiError {
  const body = (typeof response.data === "object" && response.data !== null ? response.data : {}) as ErrorBody;
  const code = typeof body.code === "string" ? body.code : undefined;
  const message =
    typeof body.message === "string"
      ? body.message
      : typeof body.error_description === "string"
        ? body.error_description
        : typeof response.data === "string" && response.data.length > 0
          ? response.data.slice(0, 200)
          : response.statusText;
  const details = describeErrorData(body.data);
  const hint = code ? hints[code] : undefined;
  const text =
    `Logto: ${action} failed: HTTP ${response.status}${code ? ` ${code}` : ""}: ${message}` +
    (details ? ` (${details})` : "") +
    (hint && code ? ` ${hint} (${troubleshootingLink(code)})` : "");
  return apiError(text, { status: response.status, code });
}

/** The Management API never redirects: a 3xx comes from something in front of Logto (or http:// vs https://). */
function redirectError(action: string, response: AxiosResponse<unknown>): LogtoApiError {
  const location = typeof response.headers.location === "string" ? response.headers.location : "(no Location header)";
  return apiError(
    `Logto: ${action} failed: HTTP ${response.status} redirect to ${location}: the Management API answers without redirects; set logto:endpoint to the origin that answers directly (check https:// versus http://, and that no login page or proxy sits in front of /api; ${troubleshootingLink("HTTP 3xx redirect from the Management API")}).`,
    { status: response.status },
  );
}

function retryAfterMs(header: unknown): number | undefined {
  if (typeof header !== "string" || header === "") return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const date = Date.parse(header);
  return Number.isNaN(date) ? undefined : Math.max(0, date - Date.now());
}

function networkCode(error: unknown): string {
  if (typeof error === "object" && error !== null) {
    const { code, message } = error as { code?: unknown; message?: unknown };
    if (typeof code === "string") return code;
    if (typeof message === "string" && /socket hang up/i.test(message)) return "ECONNRESET";
  }
  return "EUNKNOWN";
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function flattenHeaders(headers: AxiosResponse["headers"]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) {
    if (value !== undefined && value !== null) out[name.toLowerCase()] = String(value);
  }
  return out;
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

type AttemptResult = { kind: "response"; response: AxiosResponse<unknown> } | { kind: "network"; code: string };

/**
 * Creates a client bound to one set of settings; its token is cached for its whole life. `errorNote` is added
 * to every error it reports (why this endpoint, when it is not the configured one).
 */
export function createManagementClient(settings: ManagementApiSettings, errorNote?: string): ManagementClient {
  const http = axios.create({
    baseURL: settings.endpoint,
    timeout: settings.requestTimeoutMs,
    validateStatus: () => true,
    maxRedirects: 0,
    ...proxyOptions(settings.endpoint),
  });
  let token: CachedToken | undefined;
  let pendingToken: Promise<CachedToken> | undefined;

  async function attempt(config: Parameters<typeof http.request>[0]): Promise<AttemptResult> {
    try {
      return { kind: "response", response: await http.request<unknown>(config) };
    } catch (error) {
      return { kind: "network", code: networkCode(error) };
    }
  }

  /**
   * Sends one logical request with bounded retries. `idempotent` decides whether a request whose answer was
   * lost may be sent again; when it may not, the failure is reported as outcome-unknown.
   */
  async function withRetries(
    action: string,
    idempotent: boolean,
    perform: () => Promise<AttemptResult>,
    sensitive: Array<string | undefined>,
  ): Promise<AxiosResponse<unknown>> {
    const started = Date.now();
    for (let attemptNo = 1; ; attemptNo++) {
      const result = await perform();
      let retryDelay: number | undefined;
      let failure: LogtoApiError;
      if (result.kind === "response") {
        const { response } = result;
        const status = response.status;
        if (status >= 200 && status < 300) return response;
        if (status >= 300 && status < 400) throw redirectError(action, response);
        failure = errorFromResponse(action, response);
        if (status === 429 || status === 503) {
          retryDelay = retryAfterMs(response.headers["retry-after"]);
        } else if (status === 502 || status === 504) {
          if (!idempotent) {
            throw apiError(redact(`${failure.message} The outcome is unknown.`, sensitive), {
              status,
              code: failure.code,
              outcomeUnknown: true,
              mayStillRun: status === 504,
            });
          }
        } else {
          throw apiError(redact(failure.message, sensitive), { status, code: failure.code });
        }
      } else {
        const lost = !notSentCodes.includes(result.code);
        const text = `Logto: ${action} failed: no answer from ${settings.endpoint} (${result.code}).`;
        if (lost && !idempotent) {
          throw apiError(redact(`${text} The outcome is unknown.`, sensitive), {
            outcomeUnknown: true,
            mayStillRun: timeoutCodes.includes(result.code),
          });
        }
        failure = apiError(text, {});
      }
      const backoff = Math.random() * settings.retryBaseDelayMs * 2 ** (attemptNo - 1);
      const delay = retryDelay ?? backoff;
      const elapsed = Date.now() - started;
      if (attemptNo >= settings.maxAttempts || elapsed + delay > settings.retryBudgetMs) {
        throw apiError(
          redact(
            `${failure.message} Gave up after ${attemptNo} attempt(s) in ${(elapsed / 1000).toFixed(1)} s.`,
            sensitive,
          ),
          { status: failure.status, code: failure.code },
        );
      }
      await sleep(delay);
    }
  }

  /** Logto answers `invalid_target` when the resource is not its Management API's: say which one to use. */
  function unknownResourceError(error: LogtoApiError): LogtoApiError {
    const cloudHost = cloudTenantOf(settings.endpoint) !== undefined;
    const fix = cloudHost
      ? "check logto:tenantId / logto:managementApiResource against the tenant id in the Logto Console."
      : `if ${settings.endpoint} is a Logto Cloud tenant on a custom domain, run \`pulumi config set logto:tenantId <tenant id>\` (Logto Console > Tenant settings; the resource becomes https://<tenant id>.logto.app/api); a self-hosted Logto uses ${managementApiResourceFor(undefined)}.`;
    const link = troubleshootingLink("oidc.invalid_target");
    return apiError(
      `Logto: getting a Management API token failed: HTTP ${error.status ?? 400} oidc.invalid_target: ${settings.endpoint} does not know the API resource ${settings.resource}; ${fix} (${link})`,
      error,
    );
  }

  async function fetchToken(): Promise<CachedToken> {
    try {
      return await requestToken();
    } catch (error) {
      if (isLogtoApiError(error) && error.code === "oidc.invalid_target") throw unknownResourceError(error);
      throw error;
    }
  }

  async function requestToken(): Promise<CachedToken> {
    const form = new URLSearchParams({
      grant_type: "client_credentials",
      resource: settings.resource,
      scope: "all",
    });
    const response = await withRetries(
      "getting a Management API token",
      true,
      () =>
        attempt({
          method: "POST",
          url: "/oidc/token",
          data: form.toString(),
          headers: { "content-type": "application/x-www-form-urlencoded" },
          auth: { username: settings.m2mAppId, password: settings.m2mAppSecret },
        }),
      [settings.m2mAppSecret],
    );
    const body = response.data as { access_token?: unknown; expires_in?: unknown };
    if (typeof body.access_token !== "string") {
      throw apiError("Logto: getting a Management API token failed: the answer carried no access_token.", {
        status: response.status,
      });
    }
    const lifetimeSeconds = typeof body.expires_in === "number" ? body.expires_in : 3600;
    return { value: body.access_token, expiresAt: Date.now() + lifetimeSeconds * 1000 };
  }

  /** One token for every caller; concurrent callers share one fetch. */
  async function accessToken(): Promise<string> {
    if (token && token.expiresAt - Date.now() > tokenRefreshMarginMs) return token.value;
    if (!pendingToken) {
      pendingToken = fetchToken().finally(() => {
        pendingToken = undefined;
      });
    }
    token = await pendingToken;
    return token.value;
  }

  async function send<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    try {
      return await sendOnce<T>(request);
    } catch (error) {
      if (!errorNote || !isLogtoApiError(error)) throw error;
      throw apiError(`${error.message} ${errorNote}`, error);
    }
  }

  async function sendOnce<T>(request: ApiRequest): Promise<ApiResponse<T>> {
    const sensitive = [settings.m2mAppSecret, ...(request.sensitiveValues ?? [])];
    let refreshedAfter401 = false;
    const perform = async (): Promise<AttemptResult> => {
      const bearer = await accessToken();
      const result = await attempt({
        method: request.method,
        url: request.path,
        params: request.query,
        data: request.body,
        headers: { authorization: `Bearer ${bearer}` },
      });
      // A token can be revoked or expire early (server restart, clock skew): fetch a new one, once.
      if (result.kind === "response" && result.response.status === 401 && !refreshedAfter401) {
        refreshedAfter401 = true;
        if (token?.value === bearer) token = undefined;
        return perform();
      }
      return result;
    };
    const response = await withRetries(request.action, request.method !== "POST", perform, sensitive);
    return {
      status: response.status,
      data: response.data as T,
      headers: flattenHeaders(response.headers),
    };
  }

  /**
   * Looks for the object a create with a lost answer may have made. A request that timed out may still be
   * running at Logto, which carries it out even though the client gave up: looking once and sending again
   * made a second application (names are not unique there). So it looks again, more slowly, for as long
   * as one more request timeout, before saying there is none.
   */
  async function findAfterUnknownOutcome<T>(
    findExisting: () => Promise<T | undefined>,
    mayStillRun: boolean,
  ): Promise<T | undefined> {
    const deadline = Date.now() + (mayStillRun ? settings.requestTimeoutMs : 0);
    for (let look = 0; ; look++) {
      const found = await findExisting();
      if (found !== undefined || Date.now() >= deadline) return found;
      await sleep(Math.min(deadline - Date.now(), Math.max(50, settings.retryBaseDelayMs) * 2 ** look));
    }
  }

  async function createOnce<T>(request: ApiRequest, findExisting: () => Promise<T | undefined>): Promise<T> {
    for (let attemptNo = 1; ; attemptNo++) {
      try {
        return (await send<T>(request)).data;
      } catch (error) {
        if (!isLogtoApiError(error) || !error.outcomeUnknown) throw error;
        const existing = await findAfterUnknownOutcome(findExisting, error.mayStillRun);
        if (existing !== undefined) return existing;
        if (attemptNo >= settings.maxAttempts) throw error;
      }
    }
  }

  async function deleteIfPresent(path: string, action: string): Promise<void> {
    try {
      await send<unknown>({ method: "DELETE", path, action });
    } catch (error) {
      if (!isNotFound(error)) throw error;
    }
  }

  /** An unauthenticated GET of Logto's OIDC side (discovery, keys), with the usual retries. */
  async function getPublic<T>(path: string, action: string): Promise<T> {
    const response = await withRetries(action, true, () => attempt({ method: "GET", url: path }), []);
    return response.data as T;
  }

  let discovered: Promise<string> | undefined;

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

  const sharedAnswers = new Map<string, { body: Promise<unknown>; startedAt: number }>();

  function sharedGet<T>(path: string, action: string, maxAgeMs: number): Promise<T> {
    const shared = sharedAnswers.get(path);
    if (shared && Date.now() - shared.startedAt < maxAgeMs) return shared.body as Promise<T>;
    const body = send<T>({ method: "GET", path, action }).then((response) => response.data);
    sharedAnswers.set(path, { body, startedAt: Date.now() });
    body.catch(() => sharedAnswers.delete(path));
    return body;
  }

  function sharedAnswer<T>(path: string): Promise<T> | undefined {
    return sharedAnswers.get(path)?.body as Promise<T> | undefined;
  }

  return {
    endpoint: settings.endpoint,
    send,
    createOnce,
    deleteIfPresent,
    sharedGet,
    sharedAnswer,
    publicOrigin,
    signingKeys,
  };
}

/**
 * Process-wide state. Pulumi runs one provider process per deployment but deserialises each resource
 * kind's provider separately, so a cache kept in a closure would not be shared: the global is.
 */
interface ManagementApiRegistry {
  configured?: ManagementApiSettings;
  clients: Map<string, ManagementClient>;
}

const registryKey = "__logtoEntraSsoManagementApi";

function registry(): ManagementApiRegistry {
  const holder = globalThis as unknown as Record<string, ManagementApiRegistry | undefined>;
  let found = holder[registryKey];
  if (!found) {
    found = { clients: new Map() };
    holder[registryKey] = found;
  }
  return found;
}

/** Called from each provider's `configure`: reads the stack config (env as fallback) once per process. */
export function configureManagementApi(config: pulumi.dynamic.Config | undefined): void {
  registry().configured = resolveManagementApiSettings(settingSource(config, process.env));
}

/** The configured settings with another endpoint (the API resource follows it unless it was set explicitly). */
function settingsAt(configured: ManagementApiSettings, endpoint: string): ManagementApiSettings {
  const derivedResource = configured.resource === defaultManagementApiResource(configured.endpoint);
  return {
    ...configured,
    endpoint,
    resource: derivedResource ? defaultManagementApiResource(endpoint) : configured.resource,
  };
}

function movedNote(recordedEndpoint: string, configuredEndpoint: string): string {
  return (
    `This object was made at ${recordedEndpoint} (recorded in the state); logto:endpoint is now ${configuredEndpoint}, ` +
    "so the provider reads and deletes it at the recorded endpoint with the configured credentials (an `up` records " +
    "the new endpoint when that Logto holds the object). To move a stack to another Logto, set the old logto:endpoint, " +
    "logto:m2mAppId and logto:m2mAppSecret back, run `pulumi up` (nothing moves) and `pulumi destroy`, then set the new " +
    "ones and run `pulumi up`; to leave the old objects behind, `pulumi state delete <urn>` them " +
    `(${troubleshootingLink("Object made at another endpoint")}).`
  );
}

/**
 * The shared client for the configured Logto (or the one the environment names when not configured). With
 * `recordedEndpoint` (where a resource's state says its object lives), the client for that endpoint.
 */
export function managementClient(recordedEndpoint?: string): ManagementClient {
  const state = registry();
  const configured = configuredSettings();
  const elsewhere = recordedEndpoint !== undefined && recordedEndpoint !== configured.endpoint;
  const settings = elsewhere ? settingsAt(configured, recordedEndpoint) : configured;
  // In-memory only: the settings (secret included) never leave this process.
  const key = JSON.stringify(settings);
  let client = state.clients.get(key);
  if (!client) {
    client = createManagementClient(settings, elsewhere ? movedNote(recordedEndpoint, configured.endpoint) : undefined);
    state.clients.set(key, client);
  }
  return client;
}

/** The configured settings (stack config, else the environment). */
export function configuredSettings(): ManagementApiSettings {
  const state = registry();
  return state.configured ?? resolveManagementApiSettings(settingSource(undefined, process.env));
}

/** Forgets configured settings and cached clients (tests start each case from a clean process state). */
export function resetManagementApiRegistry(): void {
  const state = registry();
  state.configured = undefined;
  state.clients.clear();
}
