import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import {
  call,
  field,
  graphClient,
  graphError,
  requestToken,
  tokenFor,
  type GraphCall,
} from "../../../local/standins/entra/testing";

const tenantId = "5e5e5e5e-0000-4000-8000-000000000001";

describe("Entra stand-in: replication lag, faults, request log, state", () => {
  let entra: EntraStandIn;
  let graph: GraphCall;
  const newApp = async () =>
    String(field((await graph("POST", "/v1.0/applications", { displayName: "lagging" })).body, "id"));

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId] });
  });
  afterAll(() => entra.close());
  beforeEach(async () => {
    entra.reset();
    graph = await graphClient(entra, tenantId);
  });

  describe("consistency switches", () => {
    it("are off by default: a new object reads at once, a deleted one is gone at once", async () => {
      const id = await newApp();
      expect((await graph("GET", `/v1.0/applications/${id}`)).status).toBe(200);
      await graph("DELETE", `/v1.0/applications/${id}`);
      expect((await graph("GET", `/v1.0/applications/${id}`)).status).toBe(404);
    });

    it("newObjectNotFoundReads: a new object answers 404 to its first N GETs, then reads", async () => {
      entra.consistency.newObjectNotFoundReads = 2;
      const id = await newApp();
      const statuses = [];
      for (let read = 0; read < 3; read += 1) statuses.push((await graph("GET", `/v1.0/applications/${id}`)).status);
      expect(statuses).toEqual([404, 404, 200]);
    });

    it("newPasswordHiddenReads: a new password is missing from passwordCredentials for the first N reads", async () => {
      const id = await newApp();
      entra.consistency.newPasswordHiddenReads = 2;
      const keyId = field(
        (await graph("POST", `/v1.0/applications/${id}/addPassword`, { passwordCredential: { displayName: "p" } }))
          .body,
        "keyId",
      );
      const seen = [];
      for (let read = 0; read < 3; read += 1) {
        const credentials = field(
          (await graph("GET", `/v1.0/applications/${id}`)).body,
          "passwordCredentials",
        ) as unknown[];
        seen.push(credentials.some((credential) => field(credential, "keyId") === keyId));
      }
      expect(seen).toEqual([false, false, true]);
    });

    it("deletedObjectVisibleReads: a deleted object answers its last state to the next N GETs, then 404", async () => {
      entra.consistency.deletedObjectVisibleReads = 2;
      const id = await newApp();
      await graph("PATCH", `/v1.0/applications/${id}`, { notes: "last words" });
      expect((await graph("DELETE", `/v1.0/applications/${id}`)).status).toBe(204);
      const reads = [];
      for (let read = 0; read < 3; read += 1) {
        const answer = await graph("GET", `/v1.0/applications/${id}`);
        reads.push(answer.status === 200 ? field(answer.body, "notes") : answer.status);
      }
      expect(reads).toEqual(["last words", "last words", 404]);
      expect((await graph("PATCH", `/v1.0/applications/${id}`, { notes: "x" })).status).toBe(404);
    });

    it("reset() turns them off again", async () => {
      entra.consistency.newObjectNotFoundReads = 5;
      entra.reset();
      graph = await graphClient(entra, tenantId);
      expect((await graph("GET", `/v1.0/applications/${await newApp()}`)).status).toBe(200);
    });
  });

  describe("faults", () => {
    it("answer a status in Graph's error shape with Retry-After, without doing the operation", async () => {
      entra.faults.add({ method: "POST", path: "/v1.0/applications", status: 429, retryAfterSeconds: 3 });
      const answer = await graph("POST", "/v1.0/applications", { displayName: "throttled" });
      expect(answer.status).toBe(429);
      expect(answer.headers["retry-after"]).toBe("3");
      expect(graphError(answer)).toEqual({
        code: "standin.faultInjected",
        message: "Fault injected by the test: 429.",
      });
      expect(entra.tenant(tenantId).applications.size).toBe(1);
      expect((await graph("POST", "/v1.0/applications", { displayName: "after" })).status).toBe(201);
    });

    it("answer a status in Entra's login shape on the token endpoint, or the body given", async () => {
      entra.faults.add({ path: `/${tenantId}/oauth2/v2.0/token`, status: 503 });
      const { clientId, clientSecret } = entra.deployer(tenantId);
      const form = {
        client_id: clientId,
        client_secret: clientSecret,
        grant_type: "client_credentials",
        scope: `${entra.url}/.default`,
      };
      const answer = await requestToken(entra, tenantId, form);
      expect(answer.status).toBe(503);
      expect(answer.body).toMatchObject({
        error: "temporarily_unavailable",
        error_description: expect.stringMatching(/^Fault injected by the test: 503\.\r\nTrace ID/),
      });
      entra.faults.add({ path: /\/applications\/[^/]+$/, method: "GET", status: 500, body: { custom: true } });
      const custom = await graph("GET", `/v1.0/applications/${entra.deployer(tenantId).applicationObjectId}`);
      expect(custom).toMatchObject({ status: 500, body: { custom: true } });
    });

    it("drop the connection before the operation, or after it (a lost response), and delay", async () => {
      entra.faults.add({ method: "POST", path: "/v1.0/applications", drop: "before" });
      await expect(graph("POST", "/v1.0/applications", { displayName: "never" })).rejects.toMatchObject({
        code: "ECONNRESET",
      });
      expect(entra.tenant(tenantId).applications.size).toBe(1);

      entra.faults.add({ method: "POST", path: "/v1.0/applications", drop: "afterCommit" });
      await expect(graph("POST", "/v1.0/applications", { displayName: "made anyway" })).rejects.toMatchObject({
        code: "ECONNRESET",
      });
      expect([...entra.tenant(tenantId).applications.values()].map((app) => app.displayName)).toContain("made anyway");
      expect(entra.requests.at(-1)).toMatchObject({ status: 201, dropped: "afterCommit" });

      entra.faults.add({ method: "GET", path: "/v1.0/applications", delayMs: 150 });
      const startedAt = Date.now();
      expect((await graph("GET", "/v1.0/applications")).status).toBe(200);
      expect(Date.now() - startedAt).toBeGreaterThanOrEqual(140);
    });
  });

  it("logs requests: method, path, query, parsed body with secrets as sent, status, tenant", async () => {
    const { clientId, clientSecret } = entra.deployer(tenantId);
    await tokenFor(entra, tenantId, clientId, clientSecret);
    await graph("GET", `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${clientId}'`)}`);
    const [login, list] = entra.requests.slice(-2);
    expect(login).toMatchObject({
      method: "POST",
      path: `/${tenantId}/oauth2/v2.0/token`,
      tenant: tenantId,
      status: 200,
      body: { client_id: clientId, client_secret: clientSecret },
    });
    expect(list).toMatchObject({
      method: "GET",
      path: "/v1.0/servicePrincipals",
      query: { $filter: `appId eq '${clientId}'` },
      tenant: tenantId,
      status: 200,
    });
  });

  it("dumps the directory as JSON, no secrets, and serves what a test changed by hand (drift)", async () => {
    const id = await newApp();
    await graph("PATCH", `/v1.0/applications/${id}`, {
      web: { redirectUris: ["https://logto.example/cb"] },
      requiredResourceAccess: [
        {
          resourceAppId: "00000003-0000-0000-c000-000000000000",
          resourceAccess: [
            { id: "37f7f235-527c-4136-accd-4a02d197296e", type: "Scope" },
            { id: "e1fe6dd8-ba31-4d61-89e7-88639da4683d", type: "Scope" },
          ],
        },
      ],
    });
    const added = await graph("POST", `/v1.0/applications/${id}/addPassword`, {
      passwordCredential: { displayName: "p" },
    });

    const dump = entra.dump()[tenantId];
    const app = dump.applications.find((candidate) => candidate.id === id);
    expect(app).toMatchObject({ displayName: "lagging", web: { redirectUris: ["https://logto.example/cb"] } });
    expect(dump.servicePrincipals.map((sp) => sp.displayName).sort()).toEqual([
      "Deployer (Entra stand-in)",
      "Microsoft Graph",
    ]);
    expect(JSON.stringify(entra.dump())).not.toContain(String(field(added.body, "secretText")));
    expect(JSON.stringify(entra.dump())).not.toContain(entra.deployer(tenantId).clientSecret);

    const live = entra.tenant(tenantId).applications.get(id);
    if (!live) throw new Error("application not stored");
    live.web.redirectUris = [];
    live.requiredResourceAccess[0].resourceAccess.pop();
    live.passwordCredentials = [];
    const read = (await graph("GET", `/v1.0/applications/${id}`)).body;
    expect(field(read, "web", "redirectUris")).toEqual([]);
    expect(field(read, "requiredResourceAccess")).toEqual([
      {
        resourceAppId: "00000003-0000-0000-c000-000000000000",
        resourceAccess: [{ id: "37f7f235-527c-4136-accd-4a02d197296e", type: "Scope" }],
      },
    ]);
    expect(field(read, "passwordCredentials")).toEqual([]);
  });

  it("reset() restores the seeded directory with the same deployer, whose secret still signs in", async () => {
    const before = entra.deployer(tenantId);
    await newApp();
    entra.reset();
    expect(entra.tenant(tenantId).applications.size).toBe(1);
    expect(entra.requests).toEqual([]);
    expect(entra.deployer(tenantId)).toEqual(before);
    expect(await tokenFor(entra, tenantId, before.clientId, before.clientSecret)).toMatch(/^ey/);
    const unknownPath = await call(entra, "/nothing/here");
    expect(unknownPath.status).toBe(404);
  });
});
