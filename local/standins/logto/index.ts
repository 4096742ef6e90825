/**
 * A Logto Management API stand-in for tests: answers like the recordings in ../shared/logto-contract/
 * (test/contract/recordings.test.ts replays them), keeps its data in memory where tests can read and edit it, and can
 * inject faults. Listens on 127.0.0.1 only.
 */
import { setMaxListeners } from "node:events";
import http, { type IncomingHttpHeaders, type IncomingMessage, type ServerResponse } from "node:http";

import {
  arrivedExchange,
  exchangeHandler,
  parseBody,
  readText,
  writeReply,
  type RecordedExchange,
  type Reply,
} from "../shared/exchange";
import { FaultInjector } from "../shared/faults";
import { closeServer, listenOnLoopback } from "../shared/loopback-server";
import { issueClientCredentialsToken, managementApiResource, TokenStore } from "./auth";
import { ApiError, faultReply, invalidJsonBody } from "./http";
import { newApplicationId, newSecretValue } from "./ids";
import type { StandInSettings } from "./routes/context";
import { routeManagementApi } from "./routes/index";
import { answerExperience, isExperiencePath } from "./sign-in/experience";
import { ModelStore, type SessionView } from "./sign-in/model-store";
import { createLogtoProvider, createTenantKeys, type LogtoProvider } from "./sign-in/provider";
import { LogtoState } from "./state";

export { managementApiResource } from "./auth";
export type { FaultInjector, FaultSpec } from "../shared/faults";
export type {
  ApplicationRow,
  AppSecretRow,
  LogtoState,
  SignInExperience,
  SsoConnectorRow,
  LogRow,
  UserRow,
  UserSsoIdentityRow,
} from "./state";
export type { SessionView } from "./sign-in/model-store";

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
  /** The resource indicator the token endpoint accepts; default the self-hosted one. A Logto Cloud tenant's is `https://{tenant}.logto.app/api`. */
  managementApiResource?: string;
  /** How GET/PATCH show a connector's client secret; default "plain" (as recorded). */
  connectorSecretOnRead?: StandInSettings["connectorSecretOnRead"];
}

export interface RecordedRequest extends RecordedExchange {
  headers: IncomingHttpHeaders;
}

export interface LogtoStandIn {
  /** "http://127.0.0.1:<port>": the Logto endpoint (`/oidc/...`, `/api/...`, the sign-in pages). */
  url: string;
  m2mAppId: string;
  m2mAppSecret: string;
  state: LogtoState;
  /** Live: tests may change them; `reset()` puts back the ones the stand-in started with. */
  settings: StandInSettings;
  requests: RecordedRequest[];
  faults: FaultInjector;
  /**
   * Serves the same tenant at another address too (another port on 127.0.0.1), as Logto answers at its
   * default domain and a custom domain or tunnel: the same data, M2M credentials, tokens and sessions store;
   * at that address the issuer, the connector callback URIs and links are under the new origin. Resolves to it.
   */
  addAddress(): Promise<string>;
  /** Every Management API token issued so far is refused from now on with 401 `auth.unauthorized`. */
  revokeAllTokens(): void;
  /** The OpenID provider's live browser sessions (who is signed in, to which apps). */
  sessions(): SessionView[];
  /**
   * Empty tenant data (users and sessions too), no recorded requests, no faults; issued Management API
   * tokens and the M2M credentials stay valid.
   */
  reset(): void;
  close(): Promise<void>;
}

function settingsFrom(options: LogtoStandInOptions): StandInSettings {
  const {
    tokenTtlSeconds = 3600,
    issuerFetchTimeoutMs = 3000,
    secretVaultConfigured = false,
    connectorSecretOnRead = "plain",
    trustedCaPem,
    managementApiResource: resource = managementApiResource,
  } = options;
  if (!(tokenTtlSeconds > 0)) throw new Error(`startLogtoStandIn: tokenTtlSeconds must be > 0, got ${tokenTtlSeconds}`);
  if (!(issuerFetchTimeoutMs >= 0)) {
    throw new Error(`startLogtoStandIn: issuerFetchTimeoutMs must be >= 0, got ${issuerFetchTimeoutMs}`);
  }
  const trustedCa =
    trustedCaPem === undefined ? undefined : typeof trustedCaPem === "string" ? [trustedCaPem] : [...trustedCaPem];
  if (trustedCa?.some((pem) => !pem.includes("-----BEGIN CERTIFICATE-----"))) {
    throw new Error(
      'startLogtoStandIn: trustedCaPem must be PEM certificate text ("-----BEGIN CERTIFICATE-----…"), e.g. the Entra stand-in\'s caPem',
    );
  }
  return {
    tokenTtlSeconds,
    issuerFetchTimeoutMs,
    secretVaultConfigured,
    connectorSecretOnRead,
    trustedCa,
    managementApiResource: resource,
  };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

const errorReply = (error: unknown): Reply =>
  error instanceof ApiError
    ? error.toReply()
    : {
        status: 500,
        body: { code: "standin.internal_error", message: error instanceof Error ? error.message : String(error) },
      };

export async function startLogtoStandIn(options: LogtoStandInOptions = {}): Promise<LogtoStandIn> {
  const settings = settingsFrom(options);
  const m2mAppId = options.m2mAppId ?? newApplicationId();
  const m2mAppSecret = options.m2mAppSecret ?? newSecretValue();
  const state = new LogtoState();
  const tokens = new TokenStore(settings.tokenTtlSeconds);
  const faults = new FaultInjector();
  const requests: RecordedRequest[] = [];
  const models = new ModelStore();
  const tenantKeys = createTenantKeys();
  const closing = new AbortController();
  // Every request in flight (a delay, an outbound fetch) listens for the close: hundreds at N=50 are expected.
  setMaxListeners(0, closing.signal);
  const outbound = { timeoutMs: settings.issuerFetchTimeoutMs, signal: closing.signal, trustedCa: settings.trustedCa };
  const servers: http.Server[] = [];

  /** Sign-in traffic is logged like the Management API's, its status once answered; faults do not apply to it. */
  function recordSignIn(request: IncomingMessage, response: ServerResponse, url: URL, text: string | undefined): void {
    const entry: RecordedRequest = { ...arrivedExchange(request, url), headers: request.headers };
    if (text !== undefined) {
      const parsed = parseBody(text, request.headers["content-type"] ?? "", () => ({ status: 400 }));
      if (parsed.ok) entry.body = parsed.body;
    }
    requests.push(entry);
    response.on("finish", () => {
      entry.status = response.statusCode;
      entry.answeredAt = Date.now();
    });
  }

  /** Whether a token request names a client other than the M2M app. */
  function isForeignClient(request: IncomingMessage, text: string): boolean {
    const basic = /^Basic (\S+)$/.exec(request.headers.authorization ?? "")?.[1];
    const fromHeader = basic === undefined ? undefined : Buffer.from(basic, "base64").toString("utf8").split(":")[0];
    const clientId = fromHeader ?? new URLSearchParams(text).get("client_id") ?? undefined;
    return clientId !== undefined && clientId !== "" && safeDecode(clientId) !== m2mAppId;
  }

  /**
   * One address of the tenant: a listener on 127.0.0.1 whose origin is the tenant's public origin for the
   * requests it receives (the issuer, callback URIs, links), over the shared data, tokens, sessions and faults.
   */
  async function listen(): Promise<string> {
    let origin = "";
    let addressSignIn: LogtoProvider | undefined;

    async function answer(request: IncomingMessage, method: string, url: URL, body: unknown): Promise<Reply> {
      const headers = request.headers;
      if (url.pathname === "/oidc/token" && method === "POST") {
        return issueClientCredentialsToken(
          {
            params: body,
            contentType: headers["content-type"] ?? "",
            authorization: headers.authorization,
            issuer: `${origin}/oidc`,
          },
          { id: m2mAppId, secret: m2mAppSecret },
          tokens,
          settings.tokenTtlSeconds,
          settings.managementApiResource,
        );
      }
      if (!url.pathname.startsWith("/api/")) {
        throw new ApiError(404, {
          code: "standin.route_not_found",
          message: `The Logto stand-in serves /oidc/token and /api/* only, not ${url.pathname}.`,
        });
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
        signOutUser: (userId) => models.revokeAccount(userId),
      });
    }

    const managementApi = exchangeHandler<RecordedRequest>(() => origin, {
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
      errorReply,
    });

    async function route(request: IncomingMessage, response: ServerResponse): Promise<void> {
      const url = new URL(request.url ?? "/", origin);
      const method = request.method ?? "GET";
      const isOidc = url.pathname === "/oidc" || url.pathname.startsWith("/oidc/");
      if (!addressSignIn || (!isOidc && !isExperiencePath(url.pathname))) return managementApi(request, response);
      const text = method === "POST" ? await readText(request) : undefined;
      // The M2M app is no row, so oidc-provider does not know it: its tokens stay with the stand-in's own code.
      if (url.pathname === "/oidc/token" && !(method === "POST" && isForeignClient(request, text ?? "")))
        return managementApi(request, response, text);
      recordSignIn(request, response, url, text);
      if (isOidc) {
        // Read already, to route it: oidc-provider takes a body it cannot read itself from `request.body`.
        if (text !== undefined) Reflect.set(request, "body", text);
        return addressSignIn.handle(request, response);
      }
      const context = { provider: addressSignIn.provider, state, origin, outbound };
      const form = new URLSearchParams(text ?? "");
      writeReply(response, await answerExperience(context, { request, response, method, url, form }));
    }

    const server = http.createServer((request, response) => {
      route(request, response).catch((error: unknown) => {
        if (closing.signal.aborted || response.headersSent) request.socket.destroy();
        else writeReply(response, errorReply(error));
      });
    });
    servers.push(server);
    origin = await listenOnLoopback(server);
    addressSignIn = createLogtoProvider(origin, state, models, tenantKeys);
    return origin;
  }

  const origin = await listen();

  return {
    url: origin,
    m2mAppId,
    m2mAppSecret,
    state,
    settings,
    requests,
    faults,
    addAddress: listen,
    revokeAllTokens: () => tokens.revokeAll(),
    sessions: () => models.sessions(),
    reset() {
      Object.assign(settings, settingsFrom(options));
      state.reset();
      models.clear();
      requests.length = 0;
      faults.clear();
    },
    async close() {
      closing.abort();
      await Promise.all(servers.map(closeServer));
    },
  };
}
