import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import { microsoftGraphAppId, startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { field, graphClient, graphError, type GraphCall } from "../../../local/standins/entra/testing";

const tenantId = "4d4d4d4d-0000-4000-8000-000000000001";
const otherTenantId = "4d4d4d4d-0000-4000-8000-000000000002";

const values = (body: unknown): unknown[] => {
  const list = field(body, "value");
  if (!Array.isArray(list)) throw new Error(`not a list: ${JSON.stringify(body)}`);
  return list;
};

describe("Entra stand-in Graph /servicePrincipals and /oauth2PermissionGrants", () => {
  let entra: EntraStandIn;
  let graph: GraphCall;
  let deployerId: string;
  const newApp = async (displayName = "contoso-sso") => {
    const answer = await graph("POST", "/v1.0/applications", {
      displayName,
      web: { redirectUris: ["https://logto.example/callback/abc"] },
    });
    return { id: String(field(answer.body, "id")), appId: String(field(answer.body, "appId")) };
  };
  /** What the provider's ServicePrincipal create sends (TF service_principal_resource.go). */
  const createServicePrincipal = (appId: string, owners = [deployerId]) =>
    graph("POST", "/v1.0/servicePrincipals", {
      "@odata.type": "#microsoft.graph.servicePrincipal",
      appId,
      accountEnabled: true,
      appRoleAssignmentRequired: false,
      description: "TERRAFORM_UPDATE_4e0e0b8c-5f5f-4f4f-8f8f-000000000000",
      tags: [],
      alternativeNames: [],
      notificationEmailAddresses: [],
      samlSingleSignOnSettings: null,
      "owners@odata.bind": owners.map((id) => `${entra.url}/v1.0/directoryObjects/${id}`),
    });
  const graphServicePrincipalId = () => entra.tenant(tenantId).graphServicePrincipalId;

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId, otherTenantId] });
  });
  afterAll(() => entra.close());
  beforeEach(async () => {
    entra.reset();
    graph = await graphClient(entra, tenantId);
    deployerId = entra.deployer(tenantId).objectId;
  });

  describe("the Microsoft Graph service principal", () => {
    it("is in every tenant, found by appId, with real scope ids and app roles", async () => {
      const answer = await graph(
        "GET",
        `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${microsoftGraphAppId}'`)}`,
      );
      expect(answer.status).toBe(200);
      const [sp] = values(answer.body);
      expect(sp).toMatchObject({
        id: graphServicePrincipalId(),
        appId: microsoftGraphAppId,
        displayName: "Microsoft Graph",
      });
      const scopes = field(sp, "oauth2PermissionScopes") as Array<Record<string, unknown>>;
      const idOf = (value: string) => scopes.find((scope) => scope.value === value)?.id;
      expect(idOf("openid")).toBe("37f7f235-527c-4136-accd-4a02d197296e");
      expect(idOf("profile")).toBe("14dad69e-099b-42c9-810b-d002981feec1");
      expect(idOf("email")).toBe("64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0");
      expect(idOf("offline_access")).toBe("7427e0e9-2fba-42fe-b0c0-848c9e6a8182");
      expect(idOf("User.Read")).toBe("e1fe6dd8-ba31-4d61-89e7-88639da4683d");
      expect(scopes.find((scope) => scope.value === "User.Read")).toMatchObject({
        type: "User",
        isEnabled: true,
        adminConsentDisplayName: "Sign in and read user profile",
      });
      expect(field(sp, "appRoles")).toEqual(
        expect.arrayContaining([
          expect.objectContaining({ value: "User.Read.All", id: "df021288-bdef-4463-88db-98f22de89214" }),
        ]),
      );

      const other = entra.tenant(otherTenantId).graphServicePrincipalId;
      expect(other).not.toBe(graphServicePrincipalId());
    });

    it("is found by displayName too; the beta read with $select=samlMetadataUrl answers only that", async () => {
      const byName = await graph(
        "GET",
        `/v1.0/servicePrincipals?$filter=${encodeURIComponent("displayName eq 'Microsoft Graph'")}`,
      );
      expect(values(byName.body)).toHaveLength(1);
      const beta = await graph("GET", `/beta/servicePrincipals/${graphServicePrincipalId()}?$select=samlMetadataUrl`);
      expect(beta.status).toBe(200);
      expect(beta.body).toEqual({
        "@odata.context": `${entra.url}/beta/$metadata#servicePrincipals(samlMetadataUrl)/$entity`,
        samlMetadataUrl: null,
      });
      const v1 = await graph("GET", `/v1.0/servicePrincipals/${graphServicePrincipalId()}?$select=samlMetadataUrl`);
      expect(v1.status).toBe(400);
      expect(graphError(v1).message).toBe(
        "Could not find a property named 'samlMetadataUrl' on type 'microsoft.graph.servicePrincipal'.",
      );
    });
  });

  it("creates a service principal for an application of the tenant, owned as bound, with what its app defines", async () => {
    const { appId } = await newApp();
    const created = await createServicePrincipal(appId);
    expect(created.status).toBe(201);
    const id = String(field(created.body, "id"));
    expect(created.body).toMatchObject({
      "@odata.context": `${entra.url}/v1.0/$metadata#servicePrincipals/$entity`,
      appId,
      displayName: "contoso-sso",
      appDisplayName: "contoso-sso",
      appOwnerOrganizationId: tenantId,
      servicePrincipalNames: [appId],
      replyUrls: ["https://logto.example/callback/abc"],
      servicePrincipalType: "Application",
      accountEnabled: true,
    });
    const owners = await graph("GET", `/v1.0/servicePrincipals/${id}/owners`);
    expect(values(owners.body)).toEqual([
      expect.objectContaining({ "@odata.type": "#microsoft.graph.servicePrincipal", id: deployerId }),
    ]);

    expect((await graph("PATCH", `/v1.0/servicePrincipals/${id}`, { description: null })).status).toBe(204);
    expect(field((await graph("GET", `/v1.0/servicePrincipals/${id}`)).body, "description")).toBeNull();
    expect(entra.dump()[tenantId].servicePrincipalOwners[id]).toEqual([deployerId]);
  });

  it("refuses a service principal for an app it does not have (400 the provider retries) and a second one (409)", async () => {
    const foreignApp = await (
      await graphClient(entra, otherTenantId)
    )("POST", "/v1.0/applications", { displayName: "elsewhere" });
    const foreign = await createServicePrincipal(String(field(foreignApp.body, "appId")));
    expect(foreign.status).toBe(400);
    expect(graphError(foreign)).toEqual({
      code: "Request_BadRequest",
      message: `The appId '${String(field(foreignApp.body, "appId"))}' of the service principal does not reference a valid application object.`,
    });
    const { appId } = await newApp();
    await createServicePrincipal(appId);
    const again = await createServicePrincipal(appId);
    expect(again.status).toBe(409);
    expect(graphError(again)).toEqual({
      code: "Request_MultipleObjectsWithSameKeyValue",
      message: `The service principal cannot be created, updated, or restored because the service principal name ${appId} is already in use.`,
    });
    expect((await createServicePrincipal(microsoftGraphAppId)).status).toBe(409);
    expect(graphError(await createServicePrincipal(appId, ["7e7e7e7e-0000-4000-8000-000000000000"])).code).toBe(
      "Request_MultipleObjectsWithSameKeyValue",
    );
  });

  it("adds and removes owners by $ref, as the provider does for the caller and extra owners", async () => {
    const { appId } = await newApp();
    const id = String(field((await createServicePrincipal(appId)).body, "id"));
    const other = await newApp("second owner");
    const otherSp = String(field((await createServicePrincipal(other.appId)).body, "id"));

    const ref = { "@odata.id": `${entra.url}/v1.0/directoryObjects/${otherSp}` };
    expect((await graph("POST", `/v1.0/servicePrincipals/${id}/owners/$ref`, ref)).status).toBe(204);
    const twice = await graph("POST", `/v1.0/servicePrincipals/${id}/owners/$ref`, ref);
    expect(graphError(twice)).toEqual({
      code: "Request_BadRequest",
      message: "One or more added object references already exist for the following modified properties: 'owners'.",
    });
    expect((await graph("DELETE", `/v1.0/servicePrincipals/${id}/owners/${deployerId}/$ref`)).status).toBe(204);
    expect(
      values((await graph("GET", `/v1.0/servicePrincipals/${id}/owners`)).body).map((owner) => field(owner, "id")),
    ).toEqual([otherSp]);
    expect((await graph("DELETE", `/v1.0/servicePrincipals/${id}/owners/${deployerId}/$ref`)).status).toBe(404);
    const unknown = await graph("POST", `/v1.0/servicePrincipals/${id}/owners/$ref`, {
      "@odata.id": `${entra.url}/v1.0/directoryObjects/6a6a6a6a-0000-4000-8000-000000000000`,
    });
    expect(unknown.status).toBe(404);
  });

  it("grants delegated permissions: Graph-style id, 409 on a second grant, scope PATCH, delete", async () => {
    const { appId } = await newApp();
    const clientId = String(field((await createServicePrincipal(appId)).body, "id"));
    const grantBody = {
      clientId,
      resourceId: graphServicePrincipalId(),
      scope: "openid profile email User.Read",
      consentType: "AllPrincipals",
    };
    const created = await graph("POST", "/v1.0/oauth2PermissionGrants", grantBody);
    expect(created.status).toBe(201);
    const id = String(field(created.body, "id"));
    expect(id).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(created.body).toMatchObject({
      ...grantBody,
      principalId: null,
      "@odata.context": `${entra.url}/v1.0/$metadata#oauth2PermissionGrants/$entity`,
    });

    const again = await graph("POST", "/v1.0/oauth2PermissionGrants", grantBody);
    expect(again.status).toBe(409);
    expect(graphError(again)).toEqual({
      code: "Request_MultipleObjectsWithSameKeyValue",
      message: "Permission entry already exists.",
    });

    expect((await graph("PATCH", `/v1.0/oauth2PermissionGrants/${id}`, { scope: "openid User.Read" })).status).toBe(
      204,
    );
    expect(field((await graph("GET", `/v1.0/oauth2PermissionGrants/${id}`)).body, "scope")).toBe("openid User.Read");
    const byClient = await graph(
      "GET",
      `/v1.0/oauth2PermissionGrants?$filter=${encodeURIComponent(`clientId eq '${clientId}'`)}`,
    );
    expect(values(byClient.body).map((grant) => field(grant, "id"))).toEqual([id]);
    expect((await graph("DELETE", `/v1.0/oauth2PermissionGrants/${id}`)).status).toBe(204);
    expect((await graph("GET", `/v1.0/oauth2PermissionGrants/${id}`)).status).toBe(404);
  });

  it("makes grant ids as Graph does (the example of Azure/azure-cli#20974)", async () => {
    const tenant = entra.tenant(tenantId);
    for (const id of ["b25985a8-9d2b-4fde-9fa7-6c4e43a8ddec", "a3efc889-f1b7-4532-9e01-91e32d1039f4"]) {
      tenant.servicePrincipals.set(id, { ...tenant.newServicePrincipal(id), id });
    }
    const created = await graph("POST", "/v1.0/oauth2PermissionGrants", {
      clientId: "b25985a8-9d2b-4fde-9fa7-6c4e43a8ddec",
      resourceId: "a3efc889-f1b7-4532-9e01-91e32d1039f4",
      scope: "User.Read",
      consentType: "AllPrincipals",
    });
    expect(field(created.body, "id")).toBe("qIVZsiud3k-fp2xOQ6jd7InI76O38TJFngGR4y0QOfQ");
  });

  it("needs both service principals for a grant (the 400 the provider retries) and a user for a Principal grant", async () => {
    const missing = "5e5e5e5e-0000-4000-8000-000000000000";
    const answer = await graph("POST", "/v1.0/oauth2PermissionGrants", {
      clientId: missing,
      resourceId: graphServicePrincipalId(),
      scope: "openid",
      consentType: "AllPrincipals",
    });
    expect(answer.status).toBe(400);
    expect(graphError(answer)).toEqual({
      code: "Request_BadRequest",
      message: `Resource '${missing}' does not exist or one of its queried reference-property objects are not present.`,
    });
    const principal = await graph("POST", "/v1.0/oauth2PermissionGrants", {
      clientId: deployerId,
      resourceId: graphServicePrincipalId(),
      scope: "openid",
      consentType: "Principal",
      principalId: missing,
    });
    expect(principal.status).toBe(400);
    const noPrincipal = await graph("POST", "/v1.0/oauth2PermissionGrants", {
      clientId: deployerId,
      resourceId: graphServicePrincipalId(),
      consentType: "Principal",
    });
    expect(graphError(noPrincipal).message).toBe(
      "Invalid value specified for property 'principalId' of resource 'OAuth2PermissionGrant'.",
    );
  });

  it("deleting a service principal takes its grants and ownerships with it; its application stays", async () => {
    const { id: appObjectId, appId } = await newApp();
    const id = String(field((await createServicePrincipal(appId)).body, "id"));
    await graph("POST", "/v1.0/oauth2PermissionGrants", {
      clientId: id,
      resourceId: graphServicePrincipalId(),
      scope: "openid",
      consentType: "AllPrincipals",
    });
    expect((await graph("DELETE", `/v1.0/servicePrincipals/${id}`)).status).toBe(204);
    expect((await graph("GET", `/v1.0/servicePrincipals/${id}`)).status).toBe(404);
    const dump = entra.dump()[tenantId];
    expect(dump.oauth2PermissionGrants).toEqual([]);
    expect(dump.servicePrincipalOwners[id]).toBeUndefined();
    expect((await graph("GET", `/v1.0/applications/${appObjectId}`)).status).toBe(200);
  });

  it("keeps tenants apart: another tenant's token sees none of this tenant's objects", async () => {
    const { id, appId } = await newApp();
    const spId = String(field((await createServicePrincipal(appId)).body, "id"));
    const elsewhere = await graphClient(entra, otherTenantId);
    expect((await elsewhere("GET", `/v1.0/applications/${id}`)).status).toBe(404);
    expect((await elsewhere("GET", `/v1.0/servicePrincipals/${spId}`)).status).toBe(404);
    expect((await elsewhere("PATCH", `/v1.0/applications/${id}`, { notes: "x" })).status).toBe(404);
    expect(
      values(
        (await elsewhere("GET", `/v1.0/servicePrincipals?$filter=${encodeURIComponent(`appId eq '${appId}'`)}`)).body,
      ),
    ).toEqual([]);
    expect(entra.tenant(otherTenantId).applications.size).toBe(1);
    expect(entra.requests.at(-1)).toMatchObject({ tenant: otherTenantId, status: 200 });
  });
});
