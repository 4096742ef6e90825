/**
 * A Logto Management API stand-in for tests: answers like the recordings in ../shared/logto-contract/
 * (test/contract.test.ts replays them), keeps its data in memory where tests can read and edit it, and can
 * inject faults. Listens on 127.0.0.1 only.
 */
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

import { issueClientCredentialsToken, TokenStore } from "./auth";
import { FaultInjector, type FaultSpec } from "./faults";
import { ApiError, readBody, writeReply, type Reply } from "./http";
import { newApplicationId, newSecretValue } from "./ids";
import { closeServer, listenOnLoopback } from "./loopback-server";
import type { StandInSettings } from "./routes/context";
import { routeManagementApi } from "./routes/index";
import { LogtoState } from "./state";

export { managementApiResource } from "./auth";
export type { FaultInjector, FaultSpec } from "./faults";
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
  /** How GET/PATCH show a connector's client secret; default "plain" (as recorded). */
  connectorSecretOnRead?: StandInSettings["connectorSecretOnRead"];
}

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: IncomingHttpHeaders;
  /** Parsed JSON or form body, secrets as sent. */
  body: unknown;
  /** Status answered (or, for a lost response, the one that would have been); 0 while in flight or if dropped before. */
  status: number;
  dropped?: FaultSpec["drop"];
}

export interface LogtoStandIn {
  /** "http://127.0.0.1:<port>": the Logto endpoint (`/oidc/token`, `/api/...`). */
  url: string;
  m2mAppId: string;
  m2mAppSecret: string;
  state: LogtoState;
  /** Live: tests may change them; `reset()` puts back the ones the stand-in started with. */
  settings: StandInSettings;
  requests: RecordedRequest[];
  faults: FaultInjector;
  /** Every token issued so far is refused from now on with 401 `auth.unauthorized`. */
  revokeAllTokens(): void;
  /** Empty tenant data, no recorded requests, no faults; issued tokens and the M2M credentials stay valid. */
  reset(): void;
  close(): Promise<void>;
}

function settingsFrom(options: LogtoStandInOptions): StandInSettings {
  const {
    tokenTtlSeconds = 3600,
    issuerFetchTimeoutMs = 3000,
    secretVaultConfigured = false,
    connectorSecretOnRead = "plain",
  } = options;
  if (!(tokenTtlSeconds > 0)) throw new Error(`startLogtoStandIn: tokenTtlSeconds must be > 0, got ${tokenTtlSeconds}`);
  if (!(issuerFetchTimeoutMs >= 0)) {
    throw new Error(`startLogtoStandIn: issuerFetchTimeoutMs must be >= 0, got ${issuerFetchTimeoutMs}`);
  }
  return { tokenTtlSeconds, issuerFetchTimeoutMs, secretVaultConfigured, connectorSecretOnRead };
}

function faultReply(fault: FaultSpec & { status: number }): Reply {
  return {
    status: fault.status,
    body: fault.body ?? { code: "fault.injected", message: `Fault injected by the test: ${fault.status}.` },
    headers: {
      ...fault.headers,
      ...(fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) }),
    },
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

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", origin);
    const record: RecordedRequest = {
      method,
      path: url.pathname,
      query: Object.fromEntries(url.searchParams),
      headers: request.headers,
      body: undefined,
      status: 0,
    };
    requests.push(record);
    let bodyError: ApiError | undefined;
    try {
      record.body = await readBody(request);
    } catch (error) {
      if (!(error instanceof ApiError)) throw error;
      bodyError = error;
    }

    const fault = faults.take(method, url.pathname);
    if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: closing.signal });
    if (fault?.drop === "before") {
      record.dropped = "before";
      request.socket.destroy();
      return;
    }

    let reply: Reply;
    if (fault?.status !== undefined) {
      reply = faultReply({ ...fault, status: fault.status });
    } else {
      try {
        if (bodyError) throw bodyError;
        reply = await answer(request, method, url, record.body);
      } catch (error) {
        if (closing.signal.aborted) return;
        reply =
          error instanceof ApiError
            ? error.toReply()
            : { status: 500, body: { code: "standin.internal_error", message: error instanceof Error ? error.message : String(error) } };
      }
    }
    record.status = reply.status;
    if (fault?.drop === "afterCommit") {
      record.dropped = "afterCommit";
      request.socket.destroy();
      return;
    }
    writeReply(response, reply);
  }

  const server = http.createServer((request, response) => {
    handle(request, response).catch(() => {
      // The stand-in closed during a delay, or the request stream broke: nothing to answer.
      request.socket.destroy();
    });
  });
  origin = await listenOnLoopback(server);

  return {
    url: origin,
    m2mAppId,
    m2mAppSecret,
    state,
    settings,
    requests,
    faults,
    revokeAllTokens: () => tokens.revokeAll(),
    reset() {
      Object.assign(settings, settingsFrom(options));
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
