import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { organizationProvider } from "../../providers/logto/organization/provider";
import { organizationJitProvider as provider } from "../../providers/logto/organizationJit/provider";
import type { OrganizationJitInputs, OrganizationJitOutputs } from "../../providers/logto/organizationJit/schema";
import { organizationRoleProvider } from "../../providers/logto/organizationRole/provider";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector";
import { ProviderHarness, connectorInputs, failureOf, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;
let organizationId: string;
let connectorId: string;

function inputs(overrides: Partial<OrganizationJitInputs> = {}): OrganizationJitInputs {
  return {
    organizationId,
    ssoConnectorIds: [connectorId],
    roles: ["member"],
    emailDomains: ["contoso.com"],
    endpoint: h.logto.url,
    ...overrides,
  };
}

const store = () => h.logto.state.organizations;

/** The three sets as Logto holds them. */
function live(id = organizationId) {
  return {
    ssoConnectorIds: store()
      .jitSsoConnectors.where({ organizationId: id })
      .map((row) => row.ssoConnectorId),
    roles: store()
      .jitRoles.where({ organizationId: id })
      .map((row) => store().roles.get(row.organizationRoleId)?.name),
    emailDomains: store()
      .jitEmailDomains.where({ organizationId: id })
      .map((row) => row.emailDomain),
  };
}

async function role(name: string): Promise<string> {
  return (await organizationRoleProvider.create({ name, description: "", scopes: [], endpoint: h.logto.url })).id;
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => {
  await h.reset();
  organizationId = (
    await organizationProvider.create({
      name: "Contoso",
      description: "",
      adoptOrganizationId: "",
      endpoint: h.logto.url,
    })
  ).id;
  connectorId = (await ssoConnectorProvider.create(connectorInputs(h))).id;
  await role("member");
  h.logto.requests.length = 0;
});

describe("check", () => {
  it("names repeated entries and domains Logto cannot store, all at once", async () => {
    const result = await provider.check!(
      {} as OrganizationJitInputs,
      inputs({ organizationId: "", roles: ["member", "member"], emailDomains: ["", "x".repeat(129)] }),
    );
    expect((result.failures ?? []).map((f) => `${f.property}: ${f.reason}`)).toEqual([
      'roles: roles[1] "member" is listed twice: list it once.',
      "organizationId: organizationId is empty: give the organization's id.",
      "emailDomains: emailDomains[0] is empty: Logto takes 1 to 128 characters.",
      "emailDomains: emailDomains[1] is 129 characters long: Logto takes 1 to 128 characters.",
    ]);
  });
});

describe("create", () => {
  it("sets the three sets with one PUT each; sent again after a lost answer it changes nothing more", async () => {
    h.logto.faults.add({ method: "PUT", path: `/api/organizations/${organizationId}/jit/roles`, drop: "afterCommit" });
    const { id, outs } = await provider.create(inputs());
    expect(id).toBe(organizationId);
    expect(outs).toEqual(inputs());
    expect(live()).toEqual({ ssoConnectorIds: [connectorId], roles: ["member"], emailDomains: ["contoso.com"] });
    expect(writeCalls(h.logto)).toEqual([
      `PUT /api/organizations/${organizationId}/jit/sso-connectors`,
      `PUT /api/organizations/${organizationId}/jit/roles`,
      `PUT /api/organizations/${organizationId}/jit/roles`,
      `PUT /api/organizations/${organizationId}/jit/email-domains`,
    ]);
  });

  it("refuses an unknown role name before sending its set, naming it", async () => {
    const error = await failureOf(() => provider.create(inputs({ roles: ["member", "owner"] })));
    expect(error.message).toMatch(/the tenant has no organization role "owner"/);
    expect(live().roles).toEqual([]);
  });

  it("says which SSO connector id Logto does not have (422 relation_foreign_key_not_found), keeping the old set", async () => {
    const error = await failureOf(() => provider.create(inputs({ ssoConnectorIds: [connectorId, "gone123"] })));
    expect(error.message).toMatch(
      /HTTP 422 entity.relation_foreign_key_not_found.*No SSO connector has the id gone123/,
    );
    expect(live().ssoConnectorIds).toEqual([]);
  });

  it("says the organization is gone when it was deleted outside the stack", async () => {
    store().deleteOrganization(organizationId);
    const error = await failureOf(() => provider.create(inputs()));
    expect(error.message).toMatch(new RegExp(`Organization ${organizationId} does not exist in Logto`));
  });
});

describe("update, read, delete", () => {
  it("replaces only the changed set, in place", async () => {
    const { outs } = await provider.create(inputs());
    await role("admin");
    h.logto.requests.length = 0;
    const news = inputs({ roles: ["admin"] });
    expect(await provider.diff!(organizationId, outs as OrganizationJitOutputs, news)).toEqual({
      changes: true,
      replaces: [],
      deleteBeforeReplace: false,
    });
    await provider.update!(organizationId, outs as OrganizationJitOutputs, news);
    expect(writeCalls(h.logto)).toEqual([`PUT /api/organizations/${organizationId}/jit/roles`]);
    expect(live().roles).toEqual(["admin"]);
  });

  it("read shows a set changed in the console (drift); the same set in another order is none", async () => {
    const declared = inputs({ emailDomains: ["contoso.com", "Contoso.example"] });
    const { outs } = await provider.create(declared);
    const same = await provider.read!(organizationId, outs);
    expect(same.props).toEqual(declared);
    store().jitSsoConnectors.deleteWhere({ organizationId });
    const drifted = await provider.read!(organizationId, outs);
    expect(drifted.props).toMatchObject({ ssoConnectorIds: [] });
    expect((await provider.diff!(organizationId, drifted.props as OrganizationJitOutputs, declared)).changes).toBe(
      true,
    );
  });

  it("another organization's settings replace these", async () => {
    const { outs } = await provider.create(inputs());
    const diff = await provider.diff!(
      organizationId,
      outs as OrganizationJitOutputs,
      inputs({ organizationId: "other" }),
    );
    expect(diff.replaces).toEqual(["organizationId"]);
  });

  it("delete empties the sets and keeps the organization; an organization gone is nothing to unlink", async () => {
    const { outs } = await provider.create(inputs());
    await provider.delete!(organizationId, outs as OrganizationJitOutputs);
    expect(live()).toEqual({ ssoConnectorIds: [], roles: [], emailDomains: [] });
    expect(store().organizations.has(organizationId)).toBe(true);
    store().deleteOrganization(organizationId);
    h.logto.requests.length = 0;
    await provider.delete!(organizationId, outs as OrganizationJitOutputs);
    expect(writeCalls(h.logto)).toEqual([]);
    expect(await provider.read!(organizationId, outs as OrganizationJitOutputs)).toEqual({});
  });
});
