/**
 * A Logto Management API stand-in for tests: answers like the recordings in ../shared/logto-contract/
 * (test/contract.test.ts replays them), keeps its data in memory where tests can read and edit it, and can
 * inject faults. Listens on 127.0.0.1 only.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage } from "node:http";

import { arrivedExchange, exchangeListener, parseBody, type RecordedExchange, type Reply } from "../shared/exchange";
import { FaultInjector, type FaultSpec } from "../shared/faults";
import { closeServer, listenOnLoopback } from "../shared/loopback-server";
import { issueClientCredentialsToken, TokenStore } from "./auth";
import { ApiError, invalidJsonBody } from "./http";
import { newApplicationId, newSecretValue } from "./ids";
import type { StandInSettings } from "./routes/context";
import { routeManagementApi } from "./routes/index";
import { LogtoState } from "./state";

export { managementApiResource } from "./auth";
export type { FaultInjector, FaultSpec } from "../shared/faults";
export type { ApplicationRow, AppSecretRow, LogtoState, SignInExperience, SsoConnectorRow } from "./state";

export interface LogtoStandInOptions {
  /** Client id of the machine-to-machine app tokens are issued to (not a row in `state`); default random. */
  m2mAppId?: string;
  /** Its secret; default random. */
  m2mAppSecret?: string;
  /** `expires_in` of issued tokens; default 3600. */
  tokenTtlSeconds?: number;
  /**
   * How long issuer discovery may take (connector save and read): a discovery that fails the way Logto
   * retries (refused, unresolvable, timeout, 5xx) answers this long after it started, as Logto's ~3 s of
   * retries do. Default 3000.
   */
  issuerFetchTimeoutMs?: number;
  /** Whether the server has a secret-vault key; without one `enableTokenStorage: true` is refused (25b). Default false. */
  secretVaultConfigured?: boolean;
  /**
   * CA certificate(s), PEM, that issuer discovery trusts for https issuers (e.g. the Entra stand-in's
   * `caPem`) instead of the system roots. Only loopback issuers are contacted either way.
   */
  trustedCaPem?: string | readonly string[];
}

export interface RecordedRequest extends RecordedExchange {
  headers: IncomingHttpHeaders;
}

export interface LogtoStandIn {
  /** "http://127.0.0.1:<port>": the Logto endpoint (`/oidc/token`, `/api/...`). */
  url: string;
  m2mAppId: string;
  m2mAppSecret: string;
  state: LogtoState;
  requests: RecordedRequest[];
  faults: FaultInjector;
  /** Every token issued so far is refused from now on with 401 `auth.unauthorized`. */
  revokeAllTokens(): void;
  /** Empty tenant data, no recorded requests, no faults; issued tokens and the M2M credentials stay valid. */
  reset(): void;
  close(): Promise<void>;
}

function settingsFrom(options: LogtoStandInOptions): StandInSettings {
  const { tokenTtlSeconds = 3600, issuerFetchTimeoutMs = 3000, secretVaultConfigured = false, trustedCaPem } = options;
  if (!(tokenTtlSeconds > 0)) throw new Error(`startLogtoStandIn: tokenTtlSeconds must be > 0, got ${tokenTtlSeconds}`);
  if (!(issuerFetchTimeoutMs >= 0)) {
    throw new Error(`startLogtoStandIn: issuerFetchTimeoutMs must be >= 0, got ${issuerFetchTimeoutMs}`);
  }
  const trustedCa = trustedCaPem === undefined ? undefined : typeof trustedCaPem === "string" ? [trustedCaPem] : [...trustedCaPem];
  if (trustedCa?.some((pem) => !pem.includes("-----BEGIN CERTIFICATE-----"))) {
    throw new Error("startLogtoStandIn: trustedCaPem must be PEM certificate text (\"-----BEGIN CERTIFICATE-----…\"), e.g. the Entra stand-in's caPem");
  }
  return { tokenTtlSeconds, issuerFetchTimeoutMs, secretVaultConfigured, trustedCa };
}

function faultReply(fault: FaultSpec & { status: number }): Reply {
  return {
    status: fault.status,
    body: fault.body ?? { code: "fault.injected", message: `Fault injected by the test: ${fault.status}.` },
    headers: fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) },
  };
}

export async function startLogtoStandIn(options: LogtoStandInOptions = {}): Promise<LogtoStandIn> {
  const settings = settingsFrom(options);
  const m2mAppId = options.m2mAppId ?? newApplicationId();
  const m2mAppSecret = options.m2mAppSecret ?? newSecretValue();
  const state = new LogtoState();
  const tokens = new TokenStore(settings.tokenTtlSeconds);
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const closing = new AbortController();
  let origin = "";

  async function answer(request: IncomingMessage, method: string, url: URL, body: unknown): Promise<Reply> {
    const headers = request.headers;
    if (url.pathname === "/oidc/token" && method === "POST") {
      return issueClientCredentialsToken(
        { params: body, contentType: headers["content-type"] ?? "", authorization: headers.authorization, issuer: `${origin}/oidc` },
        { id: m2mAppId, secret: m2mAppSecret },
        tokens,
        settings.tokenTtlSeconds,
      );
    }
    if (!url.pathname.startsWith("/api/")) {
      throw new ApiError(404, { code: "standin.route_not_found", message: `The Logto stand-in serves /oidc/token and /api/* only, not ${url.pathname}.` });
    }
    tokens.authorize(headers.authorization);
    return routeManagementApi(method, {
      state,
      settings,
      signal: closing.signal,
      body,
      query: url.searchParams,
      origin,
      pathname: url.pathname,
    });
  }

  const server = http.createServer(
    exchangeListener<RecordedRequest>(() => origin, {
      faults,
      closing: closing.signal,
      record(request, url) {
        const entry: RecordedRequest = { ...arrivedExchange(request, url), headers: request.headers };
        requests.push(entry);
        return entry;
      },
      parse: (text, contentType) => parseBody(text, contentType, () => invalidJsonBody().toReply()),
      answer: (request, url, entry) => answer(request, entry.method, url, entry.body),
      faultReply,
      errorReply: (error) =>
        error instanceof ApiError
          ? error.toReply()
          : { status: 500, body: { code: "standin.internal_error", message: error instanceof Error ? error.message : String(error) } },
    }),
  );
  origin = await listenOnLoopback(server);

  return {
    url: origin,
    m2mAppId,
    m2mAppSecret,
    state,
    requests,
    faults,
    revokeAllTokens: () => tokens.revokeAll(),
    reset() {
      state.reset();
      requests.length = 0;
      faults.clear();
    },
    close() {
      closing.abort();
      return closeServer(server);
    },
  };
}
