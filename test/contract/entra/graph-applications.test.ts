import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { call, field, graphClient, graphError, tokenFor, type GraphCall } from "../../../local/standins/entra/testing";

const tenantId = "3c3c3c3c-0000-4000-8000-000000000001";

/** What the azuread provider's ApplicationRegistration create sends (reference, TF application_registration_resource.go). */
const providerCreateBody = {
  "@odata.type": "#microsoft.graph.application",
  displayName: "contoso-sso",
  signInAudience: "AzureADMyOrg",
  notes: null,
  description: null,
  serviceManagementReference: null,
  groupMembershipClaims: null,
  api: { "@odata.type": "#microsoft.graph.apiApplication", requestedAccessTokenVersion: 2 },
  info: { marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
  web: {
    homePageUrl: null,
    logoutUrl: null,
    implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
  },
};

describe("Entra stand-in Graph /applications", () => {
  let entra: EntraStandIn;
  let graph: GraphCall;
  const create = async (body: Record<string, unknown> = providerCreateBody) => {
    const answer = await graph("POST", "/v1.0/applications", body);
    expect(answer.status).toBe(201);
    return { id: String(field(answer.body, "id")), appId: String(field(answer.body, "appId")), body: answer.body };
  };

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId] });
  });
  afterAll(() => entra.close());
  beforeEach(async () => {
    entra.reset();
    graph = await graphClient(entra, tenantId);
  });

  it("creates an application with server-set ids and fields, echoing what was sent, without @odata.type", async () => {
    const { id, appId, body } = await create();
    expect(id).toMatch(/^[0-9a-f-]{36}$/);
    expect(appId).toMatch(/^[0-9a-f-]{36}$/);
    expect(appId).not.toBe(id);
    expect(body).toMatchObject({
      "@odata.context": `${entra.url}/v1.0/$metadata#applications/$entity`,
      displayName: "contoso-sso",
      signInAudience: "AzureADMyOrg",
      publisherDomain: expect.stringMatching(/\.onmicrosoft\.com$/),
      createdDateTime: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{7}Z$/),
      api: { requestedAccessTokenVersion: 2, oauth2PermissionScopes: [] },
      web: {
        redirectUris: [],
        homePageUrl: null,
        implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      },
      passwordCredentials: [],
      requiredResourceAccess: [],
    });
    expect(JSON.stringify(body)).not.toContain("@odata.type");

    const read = await graph("GET", `/v1.0/applications/${id}`);
    expect(read.status).toBe(200);
    expect(read.headers["content-type"]).toMatch(/^application\/json/);
    expect(read.headers["request-id"]).toMatch(/^[0-9a-f-]{36}$/);
    expect(field(read.body, "api", "requestedAccessTokenVersion")).toBe(2);
    expect(entra.tenant(tenantId).applications.get(id)?.displayName).toBe("contoso-sso");
  });

  it("PATCH deep-merges objects, replaces arrays, and treats null as clear", async () => {
    const { id } = await create({
      ...providerCreateBody,
      web: { homePageUrl: "https://app.example", redirectUris: ["https://a.example/cb", "https://b.example/cb"] },
    });
    const patch = await graph("PATCH", `/v1.0/applications/${id}`, {
      web: {
        "@odata.type": "#microsoft.graph.webApplication",
        redirectUris: ["https://c.example/cb"],
        implicitGrantSettings: { enableIdTokenIssuance: true },
      },
      info: { marketingUrl: "https://m.example" },
      notes: "kept",
    });
    expect(patch.status).toBe(204);
    expect(patch.text).toBe("");
    const app = (await graph("GET", `/v1.0/applications/${id}`)).body;
    expect(field(app, "web")).toMatchObject({
      homePageUrl: "https://app.example",
      redirectUris: ["https://c.example/cb"],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: true },
    });
    expect(field(app, "info", "marketingUrl")).toBe("https://m.example");

    await graph("PATCH", `/v1.0/applications/${id}`, {
      notes: null,
      web: { homePageUrl: null, redirectUris: null },
      info: null,
    });
    const cleared = (await graph("GET", `/v1.0/applications/${id}`)).body;
    expect(field(cleared, "notes")).toBeNull();
    expect(field(cleared, "web")).toMatchObject({ homePageUrl: null, redirectUris: [] });
    expect(field(cleared, "info", "marketingUrl")).toBeNull();
  });

  it("replaces requiredResourceAccess whole, as ApplicationApiAccess sends it", async () => {
    const { id } = await create();
    const graphAccess = {
      resourceAppId: "00000003-0000-0000-c000-000000000000",
      resourceAccess: [{ id: "37f7f235-527c-4136-accd-4a02d197296e", type: "Scope" }],
    };
    expect(
      (await graph("PATCH", `/v1.0/applications/${id}`, { id, requiredResourceAccess: [graphAccess] })).status,
    ).toBe(204);
    expect(field((await graph("GET", `/v1.0/applications/${id}`)).body, "requiredResourceAccess")).toEqual([
      graphAccess,
    ]);
    await graph("PATCH", `/v1.0/applications/${id}`, { id, requiredResourceAccess: [] });
    expect(field((await graph("GET", `/v1.0/applications/${id}`)).body, "requiredResourceAccess")).toEqual([]);
  });

  it("refuses a wrongly typed property with Graph's 400 and changes nothing", async () => {
    const { id } = await create();
    const answer = await graph("PATCH", `/v1.0/applications/${id}`, {
      web: { redirectUris: "https://not-a-list.example" },
    });
    expect(answer.status).toBe(400);
    expect(graphError(answer)).toEqual({
      code: "Request_BadRequest",
      message: "Invalid value specified for property 'redirectUris' of resource 'WebApplication'.",
    });
    const bad = await graph("PATCH", `/v1.0/applications/${id}`, {
      requiredResourceAccess: [{ resourceAppId: "graph", resourceAccess: [] }],
    });
    expect(graphError(bad).message).toBe(
      "Invalid value specified for property 'resourceAppId' of resource 'RequiredResourceAccess'.",
    );
    expect(entra.tenant(tenantId).applications.get(id)?.web.redirectUris).toEqual([]);
    const noName = await graph("POST", "/v1.0/applications", { signInAudience: "AzureADMyOrg" });
    expect(graphError(noName).message).toBe(
      "Invalid value specified for property 'displayName' of resource 'Application'.",
    );
  });

  it("answers Graph's 404 body for an unknown id, and 400 for an id that is not a GUID", async () => {
    const missing = "7b7b7b7b-0000-4000-8000-000000000000";
    const answer = await graph("GET", `/v1.0/applications/${missing}`, undefined, {
      "client-request-id": "f00dfeed-0000-4000-8000-000000000000",
    });
    expect(answer.status).toBe(404);
    expect(answer.body).toEqual({
      error: {
        code: "Request_ResourceNotFound",
        message: `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
        innerError: {
          date: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d$/),
          "request-id": answer.headers["request-id"],
          "client-request-id": "f00dfeed-0000-4000-8000-000000000000",
        },
      },
    });
    expect(graphError(await graph("PATCH", `/v1.0/applications/${missing}`, { notes: "x" })).code).toBe(
      "Request_ResourceNotFound",
    );
    const notGuid = await graph("GET", "/v1.0/applications/not-a-guid");
    expect(notGuid.status).toBe(400);
    expect(graphError(notGuid)).toEqual({
      code: "Request_BadRequest",
      message: "Invalid object identifier 'not-a-guid'.",
    });
  });

  it("deletes: 204, then 404", async () => {
    const { id } = await create();
    expect((await graph("DELETE", `/v1.0/applications/${id}`)).status).toBe(204);
    expect((await graph("GET", `/v1.0/applications/${id}`)).status).toBe(404);
    expect((await graph("DELETE", `/v1.0/applications/${id}`)).status).toBe(404);
  });

  it("addPassword returns the secret once; the application lists the credential without it, dates as sent", async () => {
    const { id } = await create();
    const added = await graph("POST", `/v1.0/applications/${id}/addPassword`, {
      passwordCredential: {
        "@odata.type": "#microsoft.graph.passwordCredential",
        displayName: "rotated 2026-01",
        endDateTime: "2030-01-01T00:00:00Z",
      },
    });
    expect(added.status).toBe(200);
    const secretText = String(field(added.body, "secretText"));
    expect(secretText).toMatch(/^[a-zA-Z0-9_~.]{3}\dQ~[a-zA-Z0-9_~.-]{34}$/);
    expect(added.body).toMatchObject({
      "@odata.context": `${entra.url}/v1.0/$metadata#microsoft.graph.passwordCredential`,
      keyId: expect.stringMatching(/^[0-9a-f-]{36}$/),
      displayName: "rotated 2026-01",
      hint: secretText.slice(0, 3),
      endDateTime: "2030-01-01T00:00:00Z",
      startDateTime: expect.stringMatching(/Z$/),
      customKeyIdentifier: null,
    });
    const listed = field((await graph("GET", `/v1.0/applications/${id}`)).body, "passwordCredentials");
    expect(listed).toEqual([
      {
        customKeyIdentifier: null,
        displayName: "rotated 2026-01",
        endDateTime: "2030-01-01T00:00:00Z",
        hint: secretText.slice(0, 3),
        keyId: field(added.body, "keyId"),
        secretText: null,
        startDateTime: field(added.body, "startDateTime"),
      },
    ]);
    expect(JSON.stringify(entra.dump())).not.toContain(secretText);

    const bad = await graph("POST", `/v1.0/applications/${id}/addPassword`, {
      passwordCredential: { startDateTime: "2030-01-01T00:00:00Z", endDateTime: "2029-01-01T00:00:00Z" },
    });
    expect(graphError(bad).message).toBe(
      "Invalid value specified for property 'endDateTime' of resource 'PasswordCredential'.",
    );
  });

  it("removePassword: 204, the credential is gone; an unknown keyId is a 404", async () => {
    const { id } = await create();
    const added = await graph("POST", `/v1.0/applications/${id}/addPassword`, {
      passwordCredential: { displayName: "p" },
    });
    const keyId = String(field(added.body, "keyId"));
    expect((await graph("POST", `/v1.0/applications/${id}/removePassword`, { keyId })).status).toBe(204);
    expect(field((await graph("GET", `/v1.0/applications/${id}`)).body, "passwordCredentials")).toEqual([]);
    expect((await graph("POST", `/v1.0/applications/${id}/removePassword`, { keyId })).status).toBe(404);
  });

  it("lists with $filter on appId or displayName, '' escaping a quote; other filters are 400", async () => {
    const { appId } = await create({ displayName: "O'Brien's app" });
    await create({ displayName: "other" });
    const byName = await graph(
      "GET",
      `/v1.0/applications?$filter=${encodeURIComponent("displayName eq 'O''Brien''s app'")}`,
    );
    expect(byName.status).toBe(200);
    expect(field(byName.body, "@odata.context")).toBe(`${entra.url}/v1.0/$metadata#applications`);
    expect((field(byName.body, "value") as unknown[]).map((app) => field(app, "appId"))).toEqual([appId]);
    const byAppId = await graph(
      "GET",
      `/v1.0/applications?$filter=${encodeURIComponent(`appId eq '${appId.toUpperCase()}'`)}`,
    );
    expect((field(byAppId.body, "value") as unknown[]).length).toBe(1);
    const unsupported = await graph("GET", `/v1.0/applications?$filter=${encodeURIComponent("notes eq 'x'")}`);
    expect(unsupported.status).toBe(400);
    expect(graphError(unsupported)).toEqual({
      code: "Request_UnsupportedQuery",
      message: "Unsupported or invalid query filter clause specified for property 'notes' of resource 'Application'.",
    });
  });

  it("needs a bearer token this stand-in issued, for this Graph, not expired (Graph's 401 messages)", async () => {
    const { id } = await create();
    const anonymous = await graphClient(entra, tenantId, "");
    const noToken = await anonymous("GET", `/v1.0/applications/${id}`);
    expect(noToken.status).toBe(401);
    expect(graphError(noToken)).toEqual({ code: "InvalidAuthenticationToken", message: "Access token is empty." });
    expect(noToken.headers["www-authenticate"]).toContain("Bearer");
    const garbage = await (await graphClient(entra, tenantId, "not-a-jwt"))("GET", `/v1.0/applications/${id}`);
    expect(graphError(garbage).message).toBe("CompactToken parsing failed with error code: 80049217");

    const { clientId, clientSecret } = entra.deployer(tenantId);
    const real = await tokenFor(entra, tenantId, clientId, clientSecret);
    const [head, payload] = real.split(".");
    const forged = `${head}.${payload}.${Buffer.from("forged").toString("base64url")}`;
    expect(
      graphError(await (await graphClient(entra, tenantId, forged))("GET", `/v1.0/applications/${id}`)).message,
    ).toBe("Access token validation failure.");

    const shortLived = await startEntraStandIn({ tenants: [tenantId], tokenTtlSeconds: 1 });
    try {
      const deployer = shortLived.deployer(tenantId);
      const expiring = await graphClient(
        shortLived,
        tenantId,
        await tokenFor(shortLived, tenantId, deployer.clientId, deployer.clientSecret),
      );
      expect((await expiring("GET", "/v1.0/applications")).status).toBe(200);
      await new Promise((resolve) => setTimeout(resolve, 1100));
      expect(graphError(await expiring("GET", "/v1.0/applications"))).toEqual({
        code: "InvalidAuthenticationToken",
        message: "Lifetime validation failed, the token is expired.",
      });
    } finally {
      await shortLived.close();
    }
  });

  it("answers unknown segments, methods and bodies as Graph does", async () => {
    const segment = await graph("GET", "/v1.0/groups");
    expect(segment.status).toBe(400);
    expect(graphError(segment)).toEqual({
      code: "BadRequest",
      message: "Resource not found for the segment 'groups'.",
    });
    const method = await graph("PUT", "/v1.0/applications");
    expect(method.status).toBe(405);
    const empty = await graph("POST", "/v1.0/applications");
    expect(graphError(empty)).toEqual({ code: "BadRequest", message: "Empty Payload. JSON content expected." });
    const { clientId, clientSecret } = entra.deployer(tenantId);
    const token = await tokenFor(entra, tenantId, clientId, clientSecret);
    const notJson = await call(entra, "/v1.0/applications", {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: "{not json",
    });
    expect(notJson.status).toBe(400);
    expect(graphError(notJson).message).toMatch(/^Unable to read JSON request payload/);
    expect(entra.tenant(tenantId).applications.size).toBe(1);
  });
});
