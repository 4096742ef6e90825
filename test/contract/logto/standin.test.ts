import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { isPlainObject } from "../../../local/standins/logto/json";
import { managementApiResource, startLogtoStandIn, type LogtoStandIn } from "../../../local/standins/logto";

const issuerFetchTimeoutMs = 300;

interface Answer {
  status: number;
  headers: Headers;
  body: unknown;
}

function field(value: unknown, key: string): unknown {
  return isPlainObject(value) ? value[key] : undefined;
}

async function requestToken(
  logto: LogtoStandIn,
  params: Record<string, string>,
  authorization?: string,
): Promise<Answer> {
  const response = await fetch(`${logto.url}/oidc/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", ...(authorization ? { authorization } : {}) },
    body: new URLSearchParams(params),
  });
  return { status: response.status, headers: response.headers, body: await response.json() };
}

const basicAuth = (logto: LogtoStandIn): string =>
  `Basic ${Buffer.from(`${logto.m2mAppId}:${logto.m2mAppSecret}`).toString("base64")}`;

async function managementToken(logto: LogtoStandIn): Promise<string> {
  const { body } = await requestToken(
    logto,
    { grant_type: "client_credentials", resource: managementApiResource, scope: "all" },
    basicAuth(logto),
  );
  const token = field(body, "access_token");
  if (typeof token !== "string") throw new Error(`no token in ${JSON.stringify(body)}`);
  return token;
}

async function call(logto: LogtoStandIn, token: string, method: string, path: string, body?: unknown): Promise<Answer> {
  const response = await fetch(`${logto.url}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: text ? JSON.parse(text) : null };
}

describe("Logto stand-in", () => {
  let logto: LogtoStandIn;
  let entra: EntraStandIn;
  let token: string;
  const api = (method: string, path: string, body?: unknown) => call(logto, token, method, path, body);
  const createConnector = (connectorName: string, extra: Record<string, unknown> = {}) =>
    api("POST", "/api/sso-connectors", { providerName: "AzureAdOidc", connectorName, ...extra });

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: ["t1"] });
    logto = await startLogtoStandIn({ issuerFetchTimeoutMs, trustedCaPem: entra.caPem });
    token = await managementToken(logto);
  });
  afterAll(async () => {
    await Promise.all([logto.close(), entra.close()]);
  });
  beforeEach(() => logto.reset());

  describe("fault injection", () => {
    it("answers a status fault without doing the operation, with Retry-After and the default body", async () => {
      logto.faults.add({ method: "POST", path: "/api/sso-connectors", status: 503, retryAfterSeconds: 7 });
      const answer = await createConnector("faulted");
      expect(answer.status).toBe(503);
      expect(answer.headers.get("retry-after")).toBe("7");
      expect(field(answer.body, "code")).toBe("fault.injected");
      expect(logto.state.connectorByName("faulted")).toBeUndefined();
      expect(logto.requests.at(-1)).toMatchObject({ method: "POST", path: "/api/sso-connectors", status: 503 });
    });

    it("answers a status fault with the given body", async () => {
      logto.faults.add({
        path: "/api/sign-in-exp",
        status: 429,
        body: { code: "request.too_many", message: "slow down" },
      });
      const answer = await api("GET", "/api/sign-in-exp");
      expect(answer).toMatchObject({ status: 429, body: { code: "request.too_many", message: "slow down" } });
    });

    it("applies a fault `times` times, then answers normally", async () => {
      logto.faults.add({ method: "GET", path: "/api/applications", status: 502, times: 2 });
      const statuses = [];
      for (let attempt = 0; attempt < 3; attempt += 1) statuses.push((await api("GET", "/api/applications")).status);
      expect(statuses).toEqual([502, 502, 200]);
      expect(logto.faults.pending).toEqual([]);
    });

    it("matches on method and on a RegExp path, first added first", async () => {
      const id = String(
        field((await api("POST", "/api/applications", { name: "app", type: "Traditional" })).body, "id"),
      );
      logto.faults.add({ method: "DELETE", path: /^\/api\/applications\/[^/]+$/, status: 500 });
      logto.faults.add({ path: /^\/api\/applications\/[^/]+$/, status: 418 });
      logto.faults.add({ path: /^\/api\/applications\/[^/]+$/, status: 409 });
      expect((await api("GET", `/api/applications/${id}`)).status).toBe(418);
      expect((await api("DELETE", `/api/applications/${id}`)).status).toBe(500);
      expect((await api("GET", `/api/applications/${id}`)).status).toBe(409);
      expect((await api("GET", `/api/applications/${id}`)).status).toBe(200);
    });

    it("delays the answer, then performs the operation", async () => {
      logto.faults.add({ method: "POST", path: "/api/sso-connectors", delayMs: 250 });
      const startedAt = Date.now();
      const answer = await createConnector("slow");
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(240);
      expect(answer.status).toBe(200);
      expect(logto.state.connectorByName("slow")).toBeDefined();
    });

    it("delays a status fault", async () => {
      logto.faults.add({ path: "/api/sign-in-exp", delayMs: 150, status: 504 });
      const startedAt = Date.now();
      expect((await api("GET", "/api/sign-in-exp")).status).toBe(504);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    });

    it("drops the connection before doing anything", async () => {
      logto.faults.add({ method: "POST", path: "/api/sso-connectors", drop: "before" });
      await expect(createConnector("dropped")).rejects.toThrow();
      expect(logto.state.connectorByName("dropped")).toBeUndefined();
      expect(logto.requests.at(-1)).toMatchObject({ path: "/api/sso-connectors", status: 0, dropped: "before" });
    });

    it("loses the response after committing the operation", async () => {
      logto.faults.add({ method: "POST", path: "/api/sso-connectors", drop: "afterCommit" });
      await expect(createConnector("committed")).rejects.toThrow();
      expect(logto.state.connectorByName("committed")).toBeDefined();
      expect(logto.requests.at(-1)).toMatchObject({ status: 200, dropped: "afterCommit" });
      // A retry now meets the row the lost response created.
      expect((await createConnector("committed")).status).toBe(409);
    });

    it("clears faults, and reset() does too", async () => {
      logto.faults.add({ path: "/api/sign-in-exp", status: 500 });
      logto.faults.clear();
      expect((await api("GET", "/api/sign-in-exp")).status).toBe(200);
      logto.faults.add({ path: "/api/sign-in-exp", status: 500 });
      logto.reset();
      expect((await api("GET", "/api/sign-in-exp")).status).toBe(200);
    });

    it("refuses a fault spec it cannot honour, naming the field", () => {
      expect(() => logto.faults.add({ path: "/x", times: 0 })).toThrow(/`times`/);
      expect(() => logto.faults.add({ path: "/x", status: 503, drop: "before" })).toThrow(/`drop`/);
      expect(() => logto.faults.add({ path: "/x", retryAfterSeconds: 1 })).toThrow(/`retryAfterSeconds`/);
    });
  });

  describe("tokens", () => {
    it("refuses tokens issued before revokeAllTokens(); new ones work", async () => {
      const old = await managementToken(logto);
      expect((await call(logto, old, "GET", "/api/applications")).status).toBe(200);
      logto.revokeAllTokens();
      const refused = await call(logto, old, "GET", "/api/applications");
      expect(refused).toMatchObject({ status: 401, body: { code: "auth.unauthorized" } });
      token = await managementToken(logto);
      expect((await api("GET", "/api/applications")).status).toBe(200);
    });

    it("refuses an expired token", async () => {
      const shortLived = await startLogtoStandIn({ tokenTtlSeconds: 1 });
      try {
        const expiring = await managementToken(shortLived);
        expect((await call(shortLived, expiring, "GET", "/api/sign-in-exp")).status).toBe(200);
        await new Promise((resolve) => setTimeout(resolve, 1100));
        const refused = await call(shortLived, expiring, "GET", "/api/sign-in-exp");
        expect(refused).toMatchObject({
          status: 401,
          body: { code: "auth.unauthorized", data: { code: "ERR_JWT_EXPIRED" } },
        });
      } finally {
        await shortLived.close();
      }
    });

    it("accepts form credentials, but not form and Basic together", async () => {
      const params = { grant_type: "client_credentials", resource: managementApiResource, scope: "all" };
      const form = await requestToken(logto, {
        ...params,
        client_id: logto.m2mAppId,
        client_secret: logto.m2mAppSecret,
      });
      expect(form).toMatchObject({ status: 200, body: { expires_in: 3600, token_type: "Bearer", scope: "all" } });
      const both = await requestToken(logto, { ...params, client_id: logto.m2mAppId }, basicAuth(logto));
      expect(both).toMatchObject({ status: 400, body: { code: "oidc.invalid_request" } });
    });

    it("keeps tokens valid across reset()", async () => {
      logto.reset();
      expect((await api("GET", "/api/sign-in-exp")).status).toBe(200);
    });
  });

  describe("pagination", () => {
    it("pages newest first with Total-Number and Link headers; without page params returns every row", async () => {
      for (const name of ["first", "second", "third"]) expect((await createConnector(name)).status).toBe(200);
      const names = (answer: Answer) =>
        Array.isArray(answer.body) ? answer.body.map((row) => field(row, "connectorName")) : [];

      const page1 = await api("GET", "/api/sso-connectors?page=1&page_size=2");
      expect(names(page1)).toEqual(["third", "second"]);
      expect(page1.headers.get("total-number")).toBe("3");
      expect(page1.headers.get("link")).toBe(
        // Logto's order (koa-pagination.ts; test/logto-contract/07g): first, prev, last, next.
        `<${logto.url}/sso-connectors?page=1&page_size=2>; rel="first", <${logto.url}/sso-connectors?page=2&page_size=2>; rel="last", <${logto.url}/sso-connectors?page=2&page_size=2>; rel="next"`,
      );
      const page2 = await api("GET", "/api/sso-connectors?page=2&page_size=2");
      expect(names(page2)).toEqual(["first"]);
      expect(page2.headers.get("total-number")).toBe("3");

      const all = await api("GET", "/api/sso-connectors");
      expect(names(all)).toEqual(["third", "second", "first"]);
      expect(all.headers.get("total-number")).toBeNull();
    });

    it("pages applications after `search`", async () => {
      for (const name of ["web-a", "web-b", "other"]) {
        expect((await api("POST", "/api/applications", { name, type: "Traditional" })).status).toBe(200);
      }
      const answer = await api("GET", "/api/applications?search=WEB&page=1&page_size=1");
      expect(answer.headers.get("total-number")).toBe("2");
      expect(Array.isArray(answer.body) ? answer.body.map((row) => field(row, "id")) : []).toEqual([
        logto.state.applicationByName("web-b")?.id,
      ]);
    });

    it("refuses a page size of 0 or above 100", async () => {
      for (const query of ["page_size=0", "page_size=101", "page=0", "page=x"]) {
        expect(await api("GET", `/api/sso-connectors?${query}`)).toMatchObject({
          status: 400,
          body: { code: "guard.invalid_pagination" },
        });
      }
    });
  });

  describe("state and issuer discovery", () => {
    it("serves what a test changed by hand (drift)", async () => {
      await createConnector("drifting", { domains: ["a.example"] });
      const row = logto.state.connectorByName("drifting");
      if (!row) throw new Error("connector not stored");
      row.domains = ["changed.example"];
      expect(field((await api("GET", `/api/sso-connectors/${row.id}`)).body, "domains")).toEqual(["changed.example"]);
    });

    it("fetches the issuer on save and on every read; providerConfig goes when the issuer is down", async () => {
      const downIssuer = await startEntraStandIn({ tenants: ["t1"] });
      const trusting = await startLogtoStandIn({ issuerFetchTimeoutMs, trustedCaPem: [entra.caPem, downIssuer.caPem] });
      try {
        const token = await managementToken(trusting);
        const config = { clientId: "c", clientSecret: "s", issuer: downIssuer.issuerFor("t1") };
        const created = await call(trusting, token, "POST", "/api/sso-connectors", {
          providerName: "AzureAdOidc",
          connectorName: "discovering",
          config,
        });
        expect(created.status).toBe(200);
        const id = String(field(created.body, "id"));
        expect(
          field((await call(trusting, token, "GET", `/api/sso-connectors/${id}`)).body, "providerConfig"),
        ).toMatchObject({
          scope: "openid profile email",
          jwksUri: `${downIssuer.url}/t1/discovery/v2.0/keys`,
        });
        expect(downIssuer.discoveryRequests).toBe(2);
        await downIssuer.close();
        const startedAt = Date.now();
        const read = await call(trusting, token, "GET", `/api/sso-connectors/${id}`);
        expect(read.status).toBe(200);
        expect(read.body).not.toHaveProperty("providerConfig");
        expect(Date.now() - startedAt).toBeGreaterThanOrEqual(issuerFetchTimeoutMs - 20);
      } finally {
        await Promise.all([trusting.close(), downIssuer.close().catch(() => undefined)]);
      }
    });

    it("fails at once, with the TLS error, for an https issuer whose CA it was not told to trust", async () => {
      const stranger = await startEntraStandIn({ tenants: ["t1"] });
      try {
        const startedAt = Date.now();
        const answer = await createConnector("untrusted", {
          config: { clientId: "c", clientSecret: "s", issuer: stranger.issuerFor("t1") },
        });
        expect(answer).toMatchObject({
          status: 400,
          body: {
            code: "connector.invalid_config",
            data: { message: "fail_to_fetch_config", error: { code: "UNABLE_TO_VERIFY_LEAF_SIGNATURE" } },
          },
        });
        expect(Date.now() - startedAt).toBeLessThan(issuerFetchTimeoutMs);
        expect(stranger.discoveryRequests).toBe(0);
      } finally {
        await stranger.close();
      }
    });

    it("never contacts an issuer off loopback: it does not resolve", async () => {
      const config = { clientId: "c", clientSecret: "s", issuer: "https://login.microsoftonline.com/tenant/v2.0" };
      const answer = await createConnector("offline", { config });
      expect(answer).toMatchObject({
        status: 400,
        body: {
          code: "connector.invalid_config",
          data: { message: "fail_to_fetch_config", error: { code: "ENOTFOUND" } },
        },
      });
    });

    it("fails at once when the issuer answers 404 (Logto does not retry that)", async () => {
      const config = { clientId: "c", clientSecret: "s", issuer: `${entra.url}/t1/not-an-issuer` };
      const startedAt = Date.now();
      const answer = await createConnector("missing-document", { config });
      expect(answer).toMatchObject({
        status: 400,
        body: { code: "connector.invalid_config", data: { message: "fail_to_fetch_config" } },
      });
      expect(Date.now() - startedAt).toBeLessThan(issuerFetchTimeoutMs);
    });

    it("accepts enableTokenStorage only when the server has a secret vault", async () => {
      const withVault = await startLogtoStandIn({ secretVaultConfigured: true });
      try {
        const created = await call(withVault, await managementToken(withVault), "POST", "/api/sso-connectors", {
          providerName: "AzureAdOidc",
          connectorName: "stores-tokens",
          enableTokenStorage: true,
        });
        expect(created).toMatchObject({ status: 200, body: { enableTokenStorage: true } });
      } finally {
        await withVault.close();
      }
      expect(await createConnector("stores-tokens", { enableTokenStorage: true })).toMatchObject({
        status: 422,
        body: { code: "request.feature_not_supported" },
      });
    });

    it("records requests with their parsed bodies, secrets as sent", async () => {
      const config = { clientId: "c", clientSecret: "secret-as-sent", issuer: entra.issuerFor("t1") };
      await createConnector("recorded", { config });
      expect(logto.requests.at(-1)).toMatchObject({ method: "POST", status: 200, body: { config } });
    });
  });
});
