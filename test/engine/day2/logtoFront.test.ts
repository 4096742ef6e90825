/** The front the journal puts before a real Logto, tried here before the Logto stand-in. */
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { startLogtoStandIn, type LogtoStandIn } from "../../../local/standins/logto";
import { FaultInjector } from "../../../local/standins/shared/faults";
import { logtoManagementApi } from "../../../local/browser/chain";
import { startLogtoFront, type LogtoFront } from "./logtoFront";

describe("a front before a Logto (another address of the same tenant)", () => {
  let logto: LogtoStandIn;
  let front: LogtoFront;
  const faults = new FaultInjector();

  beforeAll(async () => {
    logto = await startLogtoStandIn();
    front = await startLogtoFront(logto.url, faults);
  });
  afterAll(async () => {
    await front.close();
    await logto.close();
  });

  it("passes the Management API through: a token got at the front works there, Logto answers as itself", async () => {
    const api = await logtoManagementApi({ ...logto, url: front.url });
    const made = await api("POST", "/api/applications", {
      name: "through the front",
      type: "Traditional",
      oidcClientMetadata: { redirectUris: ["http://127.0.0.1:9/cb"], postLogoutRedirectUris: [] },
    });
    expect(made.status).toBe(200);
    expect(logto.state.applications.size).toBe(1);
    // The upstream saw its own host, as behind a gateway.
    expect(logto.requests.at(-1)?.headers.host).toBe(new URL(logto.url).host);
  });

  it("answers an injected fault in Logto's error shape without passing the request on", async () => {
    const api = await logtoManagementApi({ ...logto, url: front.url });
    const before = logto.requests.length;
    faults.add({ method: "GET", path: "/api/applications", status: 503, retryAfterSeconds: 1 });
    const answer = await api("GET", "/api/applications");
    expect(answer).toEqual({
      status: 503,
      body: { code: "fault.injected", message: "Fault injected by the test: 503." },
    });
    expect(logto.requests.length).toBe(before);
    expect((await api("GET", "/api/applications")).status).toBe(200);
  });

  it("drops the connection after the operation for an afterCommit fault (a lost response)", async () => {
    const api = await logtoManagementApi({ ...logto, url: front.url });
    faults.add({ method: "DELETE", path: /^\/api\/applications\//, drop: "afterCommit" });
    const [id] = logto.state.applications.keys();
    await expect(api("DELETE", `/api/applications/${id}`)).rejects.toThrow();
    expect(logto.state.applications.size).toBe(0);
  });

  it("with ownIssuer, names itself as the issuer in the discovery document (another public origin of the tenant)", async () => {
    const own = await startLogtoFront(logto.url, new FaultInjector(), { ownIssuer: true });
    try {
      const discovery = (await (await fetch(`${own.url}/oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
        token_endpoint: string;
      };
      expect(discovery.issuer).toBe(`${own.url}/oidc`);
      expect(discovery.token_endpoint.startsWith(own.url)).toBe(true);
      // Through the plain front, Logto names itself.
      const plain = (await (await fetch(`${front.url}/oidc/.well-known/openid-configuration`)).json()) as {
        issuer: string;
      };
      expect(plain.issuer).toBe(`${logto.url}/oidc`);
    } finally {
      await own.close();
    }
  });
});
