import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { managementClient } from "../../providers/logto/registry";
import {
  defaultManagementApiResource,
  resolveManagementApiSettings,
  settingSource,
} from "../../providers/logto/settings";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector/provider";
import { SsoConnectorOutputs } from "../../providers/logto/ssoConnector/schema";
import { applicationProvider } from "../../providers/logto/application/provider";
import { startLogtoStandIn, type LogtoStandIn } from "../../local/standins/logto";
import {
  ProviderHarness,
  applicationInputs,
  calls,
  connectorInputs,
  failureOf,
  stackConfig,
  startProviderHarness,
  writeCalls,
} from "./harness";

let h: ProviderHarness;

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const tokenRequests = () => calls(h.logto).filter((c) => c === "POST /oidc/token").length;

async function listApps() {
  return managementClient().send({
    method: "GET",
    path: "/api/applications",
    action: "listing applications",
  });
}

describe("token", () => {
  it("fetches one token for a run of many operations across resource kinds", async () => {
    for (let i = 0; i < 5; i++) {
      await applicationProvider.create(applicationInputs(h, { name: `app-${i}` }));
    }
    await ssoConnectorProvider.delete!("missing-id", { connectorName: "x" } as never);
    await Promise.all([listApps(), listApps(), listApps()]);
    expect(tokenRequests()).toBe(1);
    // 5 creates, a delete and 3 reads.
    expect(h.logto.requests.length).toBe(10);
  });

  it("asks for scope=all and the self-hosted resource, with HTTP Basic credentials", async () => {
    await listApps();
    const tokenCall = h.logto.requests.find((r) => r.path === "/oidc/token");
    expect(tokenCall?.body).toMatchObject({
      grant_type: "client_credentials",
      scope: "all",
      resource: "https://default.logto.app/api",
    });
  });

  it("fetches a new token once when the API says 401, then succeeds", async () => {
    await listApps();
    h.logto.revokeAllTokens();
    await listApps();
    expect(tokenRequests()).toBe(2);
  });

  it("refreshes a token that is about to expire", async () => {
    const shortLived = await (await import("../../local/standins/logto")).startLogtoStandIn({ tokenTtlSeconds: 30 });
    try {
      await h.reset({
        "logto:endpoint": shortLived.url,
        "logto:m2mAppId": shortLived.m2mAppId,
        "logto:m2mAppSecret": shortLived.m2mAppSecret,
      });
      await listApps();
      await listApps();
      // 30 s lifetime is inside the 60 s refresh margin: every call wants a fresh token.
      expect(shortLived.requests.filter((r) => r.path === "/oidc/token")).toHaveLength(2);
    } finally {
      await shortLived.close();
    }
  });

  it("explains wrong M2M credentials without echoing them", async () => {
    await h.reset({ "logto:m2mAppSecret": "definitely-wrong-m2m-secret" });
    const error = await failureOf(listApps);
    expect(error.message).toMatch(
      /getting a Management API token failed: HTTP 401 oidc\.invalid_client.*logto:m2mAppSecret/,
    );
    expect(error.message).not.toContain("definitely-wrong-m2m-secret");
  });

  it("explains a wrong API resource in one line, naming the resource and the fix", async () => {
    await h.reset({ "logto:managementApiResource": "https://tenant-x.logto.app/api" });
    const error = await failureOf(listApps);
    expect(error.message).toMatch(
      /^Logto: getting a Management API token failed: HTTP 400 oidc\.invalid_target: http:\/\/127\.0\.0\.1:\d+ does not know the API resource https:\/\/tenant-x\.logto\.app\/api; .*pulumi config set logto:tenantId/,
    );
    expect(error.message).not.toContain("\n");
  });
});

describe("Logto Cloud", () => {
  async function withCloudTenant(perform: (cloud: LogtoStandIn) => Promise<void>): Promise<void> {
    // A Logto Cloud tenant "acme" behind a custom domain: its resource is not derivable from the endpoint.
    const cloud = await startLogtoStandIn({ managementApiResource: "https://acme.logto.app/api" });
    try {
      await perform(cloud);
    } finally {
      await cloud.close();
    }
  }
  const access = (cloud: LogtoStandIn) => ({
    "logto:endpoint": cloud.url,
    "logto:m2mAppId": cloud.m2mAppId,
    "logto:m2mAppSecret": cloud.m2mAppSecret,
  });

  it("on a custom domain, the self-hosted resource is refused and the error says to set logto:tenantId", async () => {
    await withCloudTenant(async (cloud) => {
      await h.reset(access(cloud));
      const error = await failureOf(listApps);
      expect(error.message).toContain(`${cloud.url} does not know the API resource https://default.logto.app/api`);
      expect(error.message).toContain(
        "Logto Cloud tenant on a custom domain, run `pulumi config set logto:tenantId <tenant id>`",
      );
    });
  });

  it("with logto:tenantId the token is asked for the tenant's resource, and calls succeed", async () => {
    await withCloudTenant(async (cloud) => {
      await h.reset({ ...access(cloud), "logto:tenantId": "acme" });
      await listApps();
      expect(cloud.requests.find((r) => r.path === "/oidc/token")?.body).toMatchObject({
        resource: "https://acme.logto.app/api",
      });
    });
  });

  it("derives the resource from a *.logto.app endpoint, and refuses contradicting or malformed settings", () => {
    const base = { "logto:m2mAppId": "m2m", "logto:m2mAppSecret": "m2m-secret-value" };
    const settings = (values: Record<string, string>) =>
      resolveManagementApiSettings(settingSource(stackConfig({ ...base, ...values }), {}));
    expect(settings({ "logto:endpoint": "https://acme.logto.app" }).resource).toBe("https://acme.logto.app/api");
    expect(settings({ "logto:endpoint": "https://auth.acme.com", "logto:tenantId": "acme" }).resource).toBe(
      "https://acme.logto.app/api",
    );
    expect(() => settings({ "logto:endpoint": "https://auth.acme.com", "logto:tenantId": "Acme Corp" })).toThrow(
      'logto:tenantId (or env LOGTO_TENANT_ID) is "Acme Corp"',
    );
    expect(() =>
      settings({
        "logto:endpoint": "https://auth.acme.com",
        "logto:tenantId": "acme",
        "logto:managementApiResource": "https://other.logto.app/api",
      }),
    ).toThrow("set only one of them");
  });
});

describe("endpoint", () => {
  it("refuses plain http to a host other than this machine, since the M2M secret would travel in clear", () => {
    const read = (endpoint: string) =>
      settingSource(
        stackConfig({ "logto:endpoint": endpoint, "logto:m2mAppId": "m2m", "logto:m2mAppSecret": "m2m-secret-value" }),
        {},
      );
    expect(() => resolveManagementApiSettings(read("http://auth.example.com"))).toThrow(
      /plain http would send the M2M app secret in clear to auth\.example\.com/,
    );
    expect(resolveManagementApiSettings(read("http://127.0.0.1:3001")).endpoint).toBe("http://127.0.0.1:3001");
    expect(resolveManagementApiSettings(read("http://localhost:3001")).endpoint).toBe("http://localhost:3001");
  });
});

describe("retries", () => {
  it("honours Retry-After on 429 and then succeeds", async () => {
    h.logto.faults.add({ method: "GET", path: "/api/applications", status: 429, retryAfterSeconds: 1 });
    const started = Date.now();
    await listApps();
    expect(Date.now() - started).toBeGreaterThanOrEqual(900);
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(2);
  });

  it("gives up on a persistent 503 after the configured attempts", async () => {
    h.logto.faults.add({ method: "GET", path: "/api/applications", status: 503, times: 100 });
    const error = await failureOf(listApps);
    expect(error.message).toMatch(/listing applications failed: HTTP 503.*Gave up after 4 attempt/);
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(4);
  });

  it("stops within the retry budget", async () => {
    await h.reset({ "logto:maxAttempts": "50", "logto:retryBaseDelayMs": "200", "logto:retryBudgetMs": "1000" });
    h.logto.faults.add({ method: "GET", path: "/api/applications", status: 502, times: 100 });
    const started = Date.now();
    await failureOf(listApps);
    expect(Date.now() - started).toBeLessThan(2500);
  });

  it("re-sends a read whose connection dropped", async () => {
    h.logto.faults.add({ method: "GET", path: "/api/applications", drop: "before", times: 2 });
    await listApps();
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(3);
  });

  it("explains a 403 (M2M app without the Management API role) and does not retry it", async () => {
    h.logto.faults.add({
      method: "GET",
      path: "/api/applications",
      status: 403,
      body: { code: "auth.forbidden", message: "Forbidden. Please check your user roles and permissions." },
    });
    const error = await failureOf(listApps);
    expect(error.message).toMatch(
      /listing applications failed: HTTP 403 auth\.forbidden: Forbidden\..*"Logto Management API access" role/,
    );
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(1);
  });

  it("does not retry a 400", async () => {
    h.logto.faults.add({
      method: "GET",
      path: "/api/applications",
      status: 400,
      body: {
        code: "guard.invalid_input",
        message: "The request body is invalid.",
        data: { issues: [{ path: ["name"], message: "Required" }] },
      },
    });
    const error = await failureOf(listApps);
    expect(error.message).toBe(
      "Logto: listing applications failed: HTTP 400 guard.invalid_input: The request body is invalid. (name: Required)",
    );
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(1);
  });

  it("does not send a create again after a 502 before looking whether the first one went through", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/applications", status: 502 });
    await applicationProvider.create(applicationInputs(h, { name: "behind-a-gateway" }));
    expect(writeCalls(h.logto)).toEqual(["POST /api/applications", "POST /api/applications"]);
    const sent = calls(h.logto).filter((c) => c.endsWith(" /api/applications"));
    expect(sent).toEqual(["POST /api/applications", "GET /api/applications", "POST /api/applications"]);
    const { data } = await listApps();
    expect(data.filter((app) => app.name === "behind-a-gateway")).toHaveLength(1);
  });

  it("times a hung request out and retries it", async () => {
    await h.reset({ "logto:requestTimeoutMs": "300" });
    h.logto.faults.add({ method: "GET", path: "/api/applications", delayMs: 1000 });
    await listApps();
    expect(calls(h.logto).filter((c) => c === "GET /api/applications")).toHaveLength(2);
  });
});

describe("settings", () => {
  it("lists every missing setting with the command that fixes it", () => {
    const error = (() => {
      try {
        resolveManagementApiSettings(() => undefined);
      } catch (e) {
        return e as Error;
      }
      throw new Error("expected a failure");
    })();
    expect(error.message).toContain("pulumi config set logto:endpoint");
    expect(error.message).toContain("pulumi config set logto:m2mAppId");
    expect(error.message).toContain("pulumi config set --secret logto:m2mAppSecret");
  });

  it("refuses an endpoint with a path and a bad number", () => {
    const values: Record<string, string> = {
      endpoint: "https://auth.example.com/api",
      m2mAppId: "id",
      m2mAppSecret: "s3cr3t-value",
      maxAttempts: "0",
    };
    expect(() => resolveManagementApiSettings((name) => values[name])).toThrow(
      /endpoint .*without a path[\s\S]*maxAttempts .*"0"/,
    );
  });

  it("derives the API resource from the endpoint", () => {
    expect(defaultManagementApiResource("https://auth.example.com")).toBe("https://default.logto.app/api");
    expect(defaultManagementApiResource("https://abc123.logto.app")).toBe("https://abc123.logto.app/api");
  });
});

/**
 * A forward proxy on 127.0.0.1 that records what it is asked for: absolute URLs (with any Authorization header)
 * of plain-http requests, which it passes on, and CONNECT targets, which it refuses.
 */
async function startRecordingProxy(): Promise<{
  url: string;
  seen: string[];
  authorizations: string[];
  close(): Promise<void>;
}> {
  const seen: string[] = [];
  const authorizations: string[] = [];
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    if (request.headers.authorization) authorizations.push(request.headers.authorization);
    const upstream = http.request(request.url ?? "", { method: request.method, headers: request.headers }, (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    });
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  server.on("connect", (request: http.IncomingMessage, socket: import("node:net").Socket) => {
    seen.push(`CONNECT ${request.url}`);
    if (request.headers.authorization) authorizations.push(request.headers.authorization);
    socket.end("HTTP/1.1 403 Forbidden\r\n\r\n");
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    seen,
    authorizations,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

describe("item 6: proxies from the environment", () => {
  const proxyVariables = ["HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy", "NO_PROXY", "no_proxy"];

  /** Runs `action` with exactly these proxy variables (the vitest setup's NO_PROXY for loopback removed too). */
  async function withEnvironment(values: Record<string, string>, action: () => Promise<void>): Promise<void> {
    const saved = Object.fromEntries(proxyVariables.map((name) => [name, process.env[name]]));
    for (const name of proxyVariables) delete process.env[name];
    Object.assign(process.env, values);
    try {
      await action();
    } finally {
      for (const name of proxyVariables) {
        if (saved[name] === undefined) delete process.env[name];
        else process.env[name] = saved[name];
      }
    }
  }

  it("never sends a loopback endpoint's requests (the M2M secret, the token) through HTTP_PROXY, even without NO_PROXY", async () => {
    const proxy = await startRecordingProxy();
    try {
      await withEnvironment({ HTTP_PROXY: proxy.url, http_proxy: proxy.url, HTTPS_PROXY: proxy.url }, async () => {
        await h.configure({});
        await listApps();
      });
      expect(proxy.seen).toEqual([]);
      expect(proxy.authorizations).toEqual([]);
      expect(calls(h.logto)).toEqual(["POST /oidc/token", "GET /api/applications"]);
    } finally {
      await proxy.close();
    }
  });

  it("tunnels an https endpoint through HTTPS_PROXY with CONNECT, so the proxy never sees the credentials", async () => {
    const proxy = await startRecordingProxy();
    try {
      await withEnvironment({ HTTPS_PROXY: proxy.url, https_proxy: proxy.url }, async () => {
        await h.configure({ "logto:endpoint": "https://logto.example.test", "logto:maxAttempts": "1" });
        await failureOf(listApps);
      });
      expect(proxy.seen).toEqual(["CONNECT logto.example.test:443"]);
      expect(proxy.authorizations).toEqual([]);
    } finally {
      await proxy.close();
    }
  });
});

describe("item 4: what counts as success and as gone", () => {
  it("a 404 without Logto's not-exists code (a proxy's or a wrong path's) is an error, not a vanished object", async () => {
    const created = await ssoConnectorProvider.create(
      connectorInputs(h, { connectorName: "behind-a-proxy", domains: [] }),
    );
    const { id } = created;
    const outs = created.outs as SsoConnectorOutputs;
    const proxy404 = { status: 404, body: "<html><body>404 Not Found</body></html>" };
    h.logto.faults.add({ method: "GET", path: `/api/sso-connectors/${id}`, ...proxy404 });
    const readError = await failureOf(() => ssoConnectorProvider.read!(id, outs));
    expect(readError.message).toMatch(/reading SSO connector .* failed: HTTP 404: <html>/);
    h.logto.faults.add({ method: "DELETE", path: `/api/sso-connectors/${id}`, ...proxy404 });
    await failureOf(() => ssoConnectorProvider.delete!(id, outs));
    expect(h.logto.state.ssoConnectors.has(id)).toBe(true);
    // Logto's own answers still mean "gone".
    h.logto.state.ssoConnectors.delete(id);
    expect((await ssoConnectorProvider.read!(id, outs)).id).toBeUndefined();
    await ssoConnectorProvider.delete!(id, outs);
  });

  it("a redirect is an error that names where it points, not a success", async () => {
    h.logto.faults.add({
      method: "GET",
      path: "/api/applications",
      status: 302,
      body: "",
      headers: { location: "https://login.example.com/sso?next=/api/applications" },
    });
    const error = await failureOf(listApps);
    expect(error.message).toMatch(
      /listing applications failed: HTTP 302 redirect to https:\/\/login\.example\.com\/sso\?next=\/api\/applications: .*logto:endpoint/,
    );
  });
});
