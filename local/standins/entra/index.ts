/**
 * A Microsoft Entra ID + Microsoft Graph stand-in on https://127.0.0.1 for tests: what the azuread provider
 * and a Logto OIDC connector ask of Entra, per tenant. It serves Azure's cloud metadata, the v2.0 token
 * endpoint (client credentials with a secret), each tenant's OpenID Connect discovery and keys, and the
 * Graph subset of ./graph. Its TLS certificate is signed by a CA made for this run (`caFile`, `caPem`).
 * See local/standins/README.md for where each behaviour comes from.
 */
import { setMaxListeners } from "node:events";
import https from "node:https";

import { arrivedExchange, exchangeListener, parseBody, type RecordedExchange, type Reply } from "../shared/exchange";
import { FaultInjector, type FaultSpec } from "../shared/faults";
import { closeServer, listenOnLoopback } from "../shared/loopback-server";
import { consistentSwitches, type ConsistencySwitches } from "./consistency";
import { GraphError, LoginError, graphErrorReply, requestIdsFor, tenantNotFound, type RequestIds } from "./errors";
import { redeemAuthorizationCode, userInfo } from "./auth-code";
import { answerGraph, isGraphPath } from "./graph/index";
import { createSigningKey } from "./jwt";
import { formField, issueClientCredentialsToken, tokenForm } from "./login";
import { metadataEndpoints } from "./metadata";
import type { User } from "./objects";
import { isMultiTenantAlias, keySet, openIdConfiguration } from "./oidc";
import { authorize, SignInFlows, submitSignIn, type SignInContext } from "./sign-in";
import { TenantDirectory, testUserProblem, type Deployer, type TenantDump, type TestUserSeed } from "./state";
import { createLoopbackCertificates } from "./tls";

export type { ConsistencySwitches } from "./consistency";
export type { FaultSpec } from "../shared/faults";
export type { Application, PasswordCredential, PermissionGrant, ServicePrincipal, User } from "./objects";
export type { Deployer, TenantDirectory, TenantDump, TestUserSeed } from "./state";
export { pairwiseSubject } from "./auth-code";
export { microsoftGraphAppId, microsoftGraphScopes } from "./microsoft-graph";

/** The tenant a stand-in has when none is asked for. */
export const defaultEntraTenantId = "5f1d8b8e-3c9a-4d6e-9b1f-2a7c4e6d8f01";

export interface EntraStandInOptions {
  /**
   * The tenants (directory ids) that exist; default `[defaultEntraTenantId]`. GUIDs in practice; any
   * URL-safe name is accepted, as the Logto recordings' issuer uses `fake-entra-tenant`.
   */
  tenants?: string[];
  /** `expires_in` of access tokens; default 3599, as Entra's. */
  tokenTtlSeconds?: number;
  /** Test users who can sign in, by tenant id; `reset()` puts them back. More with `addUser`. */
  users?: Record<string, TestUserSeed[]>;
  /**
   * Where to keep the CA that signs the server certificate, for a real Logto started once trusting it;
   * default `ENTRA_STANDIN_CA_DIR`, and without it a CA made for this run alone.
   */
  caDir?: string;
}

export interface RecordedEntraRequest extends RecordedExchange {
  /** The tenant in the path (login, discovery) or in the bearer token (Graph). */
  tenant?: string;
}

export interface EntraStandIn {
  /** "https://127.0.0.1:<port>": Entra login, Graph and cloud metadata all on this origin. */
  url: string;
  /** "127.0.0.1:<port>": the azuread provider's `metadataHost` (ARM_METADATA_HOSTNAME). */
  metadataHost: string;
  /** The run's CA certificate, as a file (SSL_CERT_FILE for Go, NODE_EXTRA_CA_CERTS for Node) and as PEM. */
  caFile: string;
  caPem: string;
  tenantIds: readonly string[];
  /** The issuer a Logto connector is configured with for this tenant (no trailing slash). */
  issuerFor(tenantId: string): string;
  /** The tenant's live directory: read it, or edit it by hand to make drift. */
  tenant(tenantId: string): TenantDirectory;
  /** A test user in `tenantId` who can sign in with `seed.password` (until the next `reset()`). */
  addUser(tenantId: string, seed: TestUserSeed): User;
  /** The identity the stack deploys with in this tenant: ARM_CLIENT_ID, ARM_CLIENT_SECRET, its object id. */
  deployer(tenantId: string): Deployer;
  /** Replication lag switches, all 0 (consistent) until a test sets them. */
  consistency: ConsistencySwitches;
  faults: FaultInjector;
  requests: RecordedEntraRequest[];
  /** How many discovery documents were served since the start or the last reset. */
  readonly discoveryRequests: number;
  /** Every tenant's directory as JSON, keyed by tenant id (no secrets). */
  dump(): Record<string, TenantDump>;
  /** Seeded directories (same deployer credentials), no recorded requests, no faults, consistent. */
  reset(): void;
  close(): Promise<void>;
}

const tenantNamePattern = /^[A-Za-z0-9][A-Za-z0-9.-]*$/;

interface Settings {
  tenantIds: string[];
  tokenTtlSeconds: number;
  users: Record<string, TestUserSeed[]>;
}

function checkUserSeeds(tenantIds: string[], users: Record<string, TestUserSeed[]>): void {
  const names = new Set<string>();
  for (const [tenantId, seeds] of Object.entries(users)) {
    if (!tenantIds.some((id) => id.toLowerCase() === tenantId.toLowerCase())) {
      throw new Error(
        `startEntraStandIn: users["${tenantId}"] names no tenant; list it in \`tenants\` (${tenantIds.join(", ")})`,
      );
    }
    seeds.forEach((seed, index) => {
      const problem = testUserProblem(seed);
      if (problem) throw new Error(`startEntraStandIn: users["${tenantId}"][${index}]: ${problem}`);
      const name = seed.userPrincipalName.toLowerCase();
      if (names.has(name))
        throw new Error(
          `startEntraStandIn: users lists ${seed.userPrincipalName} twice; sign-in names are unique across tenants`,
        );
      names.add(name);
    });
  }
}

function settingsFrom(options: EntraStandInOptions): Settings {
  const { tenants = [defaultEntraTenantId], tokenTtlSeconds = 3599, users = {} } = options;
  if (tenants.length === 0) throw new Error("startEntraStandIn: `tenants` must list at least one tenant id");
  tenants.forEach((tenantId, index) => {
    if (!tenantNamePattern.test(tenantId) || isMultiTenantAlias(tenantId)) {
      throw new Error(
        `startEntraStandIn: tenants[${index}] "${tenantId}" is not a tenant id; give a GUID (or a URL-safe name), not common/organizations`,
      );
    }
  });
  if (new Set(tenants.map((id) => id.toLowerCase())).size !== tenants.length)
    throw new Error("startEntraStandIn: `tenants` lists a tenant twice");
  if (!(Number.isInteger(tokenTtlSeconds) && tokenTtlSeconds > 0)) {
    throw new Error(`startEntraStandIn: tokenTtlSeconds must be a whole number > 0, got ${tokenTtlSeconds}`);
  }
  checkUserSeeds(tenants, users);
  return { tenantIds: tenants, tokenTtlSeconds, users };
}

const notServed = (method: string, pathname: string): Reply => ({
  status: 404,
  body: {
    error: "not_found",
    error_description: `The Entra stand-in does not serve ${method} ${pathname}; see local/standins/README.md.`,
  },
});

// What Graph answers with (go-azure-sdk only needs it to start with application/json).
const graphContentType =
  "application/json;odata.metadata=minimal;odata.streaming=true;IEEE754Compatible=false;charset=utf-8";

function graphReply(reply: Reply, ids: RequestIds): Reply {
  const headers = { ...reply.headers, "request-id": ids.requestId, "client-request-id": ids.clientRequestId };
  return { ...reply, headers: reply.body === undefined ? headers : { ...headers, "content-type": graphContentType } };
}

const notJson = (): Reply => {
  const ids = requestIdsFor(undefined);
  const message =
    "Unable to read JSON request payload. Please ensure Content-Type header is set and payload is of valid JSON format.";
  return graphReply(graphErrorReply(400, "BadRequest", message, ids), ids);
};

const loginPath =
  /^\/([^/]+)\/(v2\.0\/\.well-known\/openid-configuration|discovery\/v2\.0\/keys|oauth2\/v2\.0\/token|oauth2\/v2\.0\/authorize|login)$/;

/** Graph's UserInfo endpoint, at the path the discovery documents advertise. */
const userInfoPath = "/oidc/userinfo";

export async function startEntraStandIn(options: EntraStandInOptions = {}): Promise<EntraStandIn> {
  const settings = settingsFrom(options);
  const consistency = consistentSwitches();
  const seedsOf = (tenantId: string): TestUserSeed[] =>
    Object.entries(settings.users).find(([id]) => id.toLowerCase() === tenantId.toLowerCase())?.[1] ?? [];
  const tenants = new Map(
    settings.tenantIds.map((id) => [id.toLowerCase(), new TenantDirectory(id, () => consistency, seedsOf(id))]),
  );
  const flows = new SignInFlows();
  const tenantOf = (tenantId: string): TenantDirectory | undefined => tenants.get(tenantId.toLowerCase());
  const faults = new FaultInjector();
  const requests: RecordedEntraRequest[] = [];
  const closing = new AbortController();
  // Every request in flight (a delay, an outbound fetch) listens for the close: hundreds at N=50 are expected.
  setMaxListeners(0, closing.signal);
  const pendingCertificates = createLoopbackCertificates(
    options.caDir ?? (process.env.ENTRA_STANDIN_CA_DIR || undefined),
  );
  const [key, certificates] = await Promise.all([createSigningKey(), pendingCertificates]).catch(
    async (error: unknown) => {
      await pendingCertificates.then(
        (made) => made.remove(),
        () => undefined,
      );
      throw error;
    },
  );
  let origin = "";

  interface LoginRequest {
    contentType: string;
    authorization: string | undefined;
    form: unknown;
    query: URLSearchParams;
    ids: RequestIds;
  }

  function answerLogin(method: string, tenantSegment: string, endpoint: string, request: LoginRequest): Reply {
    const signIn: SignInContext = {
      origin,
      tenantOf,
      directories: () => [...tenants.values()],
      flows,
      ids: request.ids,
    };
    if (endpoint === "oauth2/v2.0/authorize") {
      if (method !== "GET" && method !== "POST") return notServed(method, `/${tenantSegment}/${endpoint}`);
      return authorize(
        signIn,
        tenantSegment,
        method === "GET" ? Object.fromEntries(request.query) : tokenForm(request.contentType, request.form),
      );
    }
    if (endpoint === "login") {
      if (method !== "POST") return notServed(method, `/${tenantSegment}/${endpoint}`);
      return submitSignIn(signIn, tenantSegment, tokenForm(request.contentType, request.form));
    }
    const isToken = endpoint === "oauth2/v2.0/token";
    if (isToken && method !== "POST") {
      throw new LoginError(
        400,
        "invalid_request",
        900561,
        `The endpoint only accepts POST, OPTIONS requests. Received a ${method} request.`,
      );
    }
    if (!isToken && method !== "GET") return notServed(method, `/${tenantSegment}/${endpoint}`);
    const tenant = tenantOf(tenantSegment);
    if (!isToken) {
      if (!tenant && !isMultiTenantAlias(tenantSegment)) throw tenantNotFound(tenantSegment);
      const body =
        endpoint === "discovery/v2.0/keys"
          ? keySet(origin, tenantSegment, key.jwk)
          : openIdConfiguration(origin, tenantSegment);
      return { status: 200, body };
    }
    if (!tenant && !isMultiTenantAlias(tenantSegment)) throw tenantNotFound(tenantSegment);
    if (formField(tokenForm(request.contentType, request.form), "grant_type") === "authorization_code") {
      const { contentType, authorization, form } = request;
      return redeemAuthorizationCode({
        context: signIn,
        authority: tenantSegment,
        contentType,
        authorization,
        form,
        key,
        tokenTtlSeconds: settings.tokenTtlSeconds,
      });
    }
    if (!tenant) {
      throw new LoginError(
        400,
        "invalid_request",
        0,
        "The Entra stand-in issues client credentials tokens for a tenant id only, not for common or organizations.",
      );
    }
    return issueClientCredentialsToken({
      origin,
      tenant,
      contentType: request.contentType,
      form: request.form,
      key,
      tokenTtlSeconds: settings.tokenTtlSeconds,
    });
  }

  const server = https.createServer(
    { key: certificates.keyPem, cert: certificates.certPem },
    exchangeListener<RecordedEntraRequest>(() => origin, {
      faults,
      closing: closing.signal,
      record(request, url) {
        const entry: RecordedEntraRequest = arrivedExchange(request, url);
        const tenantInPath = loginPath.exec(url.pathname)?.[1];
        if (tenantInPath !== undefined) entry.tenant = tenantInPath;
        requests.push(entry);
        return entry;
      },
      parse(text, contentType, url) {
        const parsed = parseBody(text, contentType, notJson);
        // Entra's login endpoints read forms; a body that is not JSON is Graph's 400 on Graph paths only.
        return parsed.ok || isGraphPath(url.pathname) ? parsed : { ok: true, body: undefined };
      },
      async answer(request, url, entry) {
        const ids = requestIdsFor(request.headers["client-request-id"]);
        try {
          if (isGraphPath(url.pathname)) {
            const reply = answerGraph({
              origin,
              method: entry.method,
              pathname: url.pathname,
              query: url.searchParams,
              authorization: request.headers.authorization,
              body: entry.body,
              key,
              tenantOf,
              onTenant: (tenantId) => (entry.tenant = tenantId),
            });
            return graphReply(reply, ids);
          }
          if (url.pathname === "/metadata/endpoints" && entry.method === "GET")
            return metadataEndpoints(origin, url.searchParams.get("api-version"));
          if (url.pathname === userInfoPath && (entry.method === "GET" || entry.method === "POST")) {
            return graphReply(userInfo(request.headers.authorization, origin, key, tenantOf), ids);
          }
          const login = loginPath.exec(url.pathname);
          if (login) {
            const contentType = request.headers["content-type"] ?? "";
            return answerLogin(entry.method, login[1], login[2], {
              contentType,
              authorization: request.headers.authorization,
              form: entry.body,
              query: url.searchParams,
              ids,
            });
          }
          return notServed(entry.method, url.pathname);
        } catch (error) {
          if (error instanceof LoginError) return error.toReply(origin, ids);
          if (error instanceof GraphError)
            return graphReply(graphErrorReply(error.status, error.code, error.message, ids, error.headers), ids);
          throw error;
        }
      },
      faultReply(fault: FaultSpec & { status: number }, url) {
        const headers: Record<string, string> =
          fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) };
        const ids = requestIdsFor(undefined);
        if (fault.body !== undefined) return { status: fault.status, body: fault.body, headers };
        const message = `Fault injected by the test: ${fault.status}.`;
        if (isGraphPath(url.pathname))
          return graphReply(graphErrorReply(fault.status, "standin.faultInjected", message, ids, headers), ids);
        const reply = new LoginError(fault.status, "temporarily_unavailable", 0, message).toReply(origin, ids);
        return { ...reply, headers: { ...reply.headers, ...headers } };
      },
      errorReply: (error) => ({
        status: 500,
        body: {
          error: "standin_internal_error",
          error_description: error instanceof Error ? error.message : String(error),
        },
      }),
    }),
  );
  try {
    origin = await listenOnLoopback(server);
  } catch (error) {
    await certificates.remove();
    throw error;
  }

  const tenant = (tenantId: string): TenantDirectory => {
    const found = tenantOf(tenantId);
    if (!found)
      throw new Error(
        `The Entra stand-in has no tenant "${tenantId}"; it has ${settings.tenantIds.join(", ")}. Add it to startEntraStandIn({ tenants }).`,
      );
    return found;
  };

  return {
    url: origin,
    metadataHost: new URL(origin).host,
    caFile: certificates.caFile,
    caPem: certificates.caPem,
    tenantIds: settings.tenantIds,
    issuerFor: (tenantId) => `${origin}/${tenantId}/v2.0`,
    tenant,
    addUser(tenantId, seed) {
      const taken = [...tenants.values()].find((directory) =>
        directory.userByPrincipalName(seed.userPrincipalName ?? ""),
      );
      if (taken)
        throw new Error(
          `addUser: ${seed.userPrincipalName} is a user of tenant ${taken.tenantId} already; sign-in names are unique across tenants`,
        );
      return tenant(tenantId).addUser(seed);
    },
    deployer: (tenantId) => ({ ...tenant(tenantId).deployer }),
    consistency,
    faults,
    requests,
    get discoveryRequests() {
      return requests.filter(
        (entry) => entry.method === "GET" && entry.path.endsWith("/v2.0/.well-known/openid-configuration"),
      ).length;
    },
    dump: () => Object.fromEntries([...tenants.values()].map((directory) => [directory.tenantId, directory.dump()])),
    reset() {
      for (const directory of tenants.values()) directory.reset();
      flows.clear();
      Object.assign(consistency, consistentSwitches());
      requests.length = 0;
      faults.clear();
    },
    async close() {
      closing.abort();
      try {
        await closeServer(server);
      } finally {
        await certificates.remove();
      }
    },
  };
}
