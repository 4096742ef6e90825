import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { organizationRoleProvider as roles } from "../../providers/logto/organizationRole/provider";
import type { OrganizationRoleInputs, OrganizationRoleOutputs } from "../../providers/logto/organizationRole/schema";
import { organizationScopeProvider as scopes } from "../../providers/logto/organizationScope/provider";
import type { OrganizationScopeInputs, OrganizationScopeOutputs } from "../../providers/logto/organizationScope/schema";
import { managementClient } from "../../providers/logto/registry";
import { organizationRoleUsage } from "../../providers/logto/templateUsage";
import { userRow } from "../../local/standins/logto/state";
import { ProviderHarness, failureOf, noticesDuring, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;

function scopeInputs(overrides: Partial<OrganizationScopeInputs> = {}): OrganizationScopeInputs {
  return { name: "read:reports", description: "Read reports", endpoint: h.logto.url, ...overrides };
}

function roleInputs(overrides: Partial<OrganizationRoleInputs> = {}): OrganizationRoleInputs {
  return { name: "admin", description: "Administrator", scopes: ["read:reports"], endpoint: h.logto.url, ...overrides };
}

async function createScope(overrides: Partial<OrganizationScopeInputs> = {}) {
  const result = await scopes.create(scopeInputs(overrides));
  return { id: result.id, outs: result.outs as OrganizationScopeOutputs };
}

async function createRole(overrides: Partial<OrganizationRoleInputs> = {}) {
  const result = await roles.create(roleInputs(overrides));
  return { id: result.id, outs: result.outs as OrganizationRoleOutputs };
}

/** A scope another stack or the console made, straight through the Management API. */
async function scopeMadeElsewhere(name: string, description?: string) {
  const body = { name, description };
  const action = "making it elsewhere";
  return (await managementClient().send({ method: "POST", path: "/api/organization-scopes", body, action })).data;
}

async function roleMadeElsewhere(name: string) {
  const body = { name, organizationScopeIds: [], resourceScopeIds: [] };
  const action = "making it elsewhere";
  return (await managementClient().send({ method: "POST", path: "/api/organization-roles", body, action })).data;
}

const store = () => h.logto.state.organizations;

/** An organization another stack or the console made, through the Management API. */
async function organizationMadeElsewhere(name: string): Promise<string> {
  const action = "making it elsewhere";
  const body = { name };
  return (await managementClient().send({ method: "POST", path: "/api/organizations", body, action })).data.id;
}

/** `organizationId` gets the role as JIT default role, as the console's "Just-in-time provisioning" tab does. */
async function giveJitDefaultRole(organizationId: string, roleId: string): Promise<void> {
  const params = { id: organizationId };
  const body = { organizationRoleIds: [roleId] };
  const action = "setting JIT roles elsewhere";
  await managementClient().send({ method: "PUT", path: "/api/organizations/{id}/jit/roles", params, body, action });
}

/** A new member of `organizationId` holding the role there (Logto's users are outside the provider's routes). */
function memberHolding(organizationId: string, organizationRoleId: string, userId: string): void {
  h.logto.state.users.set(userId, userRow({ id: userId, createdAt: Date.now(), name: userId }));
  store().members.insert([{ organizationId, userId }]);
  store().memberRoles.insert([{ organizationId, organizationRoleId, userId }]);
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("check", () => {
  it("names Logto's limits and repeated scopes, all at once", async () => {
    const result = await roles.check!(
      {} as OrganizationRoleInputs,
      roleInputs({ name: "x".repeat(129), description: "d".repeat(257), scopes: ["a", "b", "a"] }),
    );
    expect((result.failures ?? []).map((f) => `${f.property}: ${f.reason}`)).toEqual([
      "name: name is 129 characters long: Logto allows at most 128.",
      "description: description is 257 characters long: Logto allows at most 256.",
      'scopes: scopes[2] "a" is listed twice: list it once.',
    ]);
    const empty = await scopes.check!({} as OrganizationScopeInputs, { name: " " } as OrganizationScopeInputs);
    expect(empty.failures).toEqual([
      { property: "name", reason: "name is empty: give the organization scope a name." },
    ]);
    expect(empty.inputs).toMatchObject({ description: "", endpoint: h.logto.url });
  });
});

describe("organization scope", () => {
  it("is created once though its answer is lost, owned by the stack", async () => {
    h.logto.faults.add({ method: "POST", path: "/api/organization-scopes", drop: "afterCommit" });
    const { id, outs } = await createScope();
    expect([...store().scopes.keys()]).toEqual([id]);
    expect(outs).toEqual({
      name: "read:reports",
      description: "Read reports",
      endpoint: h.logto.url,
      scopeId: id,
      ownership: "stack",
    });
  });

  it("one made elsewhere is used, not changed, and kept on delete", async () => {
    const theirs = await scopeMadeElsewhere("read:reports", "Theirs");
    h.logto.requests.length = 0;
    const { id, outs } = await createScope();
    expect(id).toBe(theirs.id);
    expect(outs).toMatchObject({ ownership: "external", description: "Theirs" });
    // Their description is theirs: no change to send.
    expect((await scopes.diff!(id, outs, scopeInputs())).changes).toBe(false);
    const notices = await noticesDuring(() => scopes.delete!(id, outs));
    expect(notices.join("\n")).toMatch(/organization scope "read:reports" .* was not made by this stack/);
    expect(writeCalls(h.logto)).toEqual([]);
    expect(store().scopes.has(id)).toBe(true);
  });

  it("a create that loses the race to another maker uses theirs", async () => {
    const theirs = await scopeMadeElsewhere("read:reports");
    // Made between the provider's look-up and its POST: the look-up does not see it, the POST gets Logto's 422.
    h.logto.faults.add({ method: "GET", path: "/api/organization-scopes", status: 200, body: [] });
    h.logto.requests.length = 0;
    const { id, outs } = await createScope();
    expect(writeCalls(h.logto)).toEqual(["POST /api/organization-scopes"]);
    expect(id).toBe(theirs.id);
    expect(outs.ownership).toBe("external");
  });

  it("is renamed in place when the stack made it; deleted on delete, a second delete is no error", async () => {
    const { id, outs } = await createScope();
    const news = scopeInputs({ name: "read:invoices" });
    expect(await scopes.diff!(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await scopes.update!(id, outs, news);
    expect(store().scopes.get(id)?.name).toBe("read:invoices");
    expect(updated.outs).toMatchObject({ name: "read:invoices", ownership: "stack" });
    await scopes.delete!(id, updated.outs as OrganizationScopeOutputs);
    expect(store().scopes.has(id)).toBe(false);
    await scopes.delete!(id, updated.outs as OrganizationScopeOutputs);
  });

  it("another maker's scope under a new name is another scope: replaced, theirs left", async () => {
    const theirs = await scopeMadeElsewhere("read:reports");
    const { outs } = await createScope();
    expect(await scopes.diff!(theirs.id, outs, scopeInputs({ name: "read:invoices" }))).toMatchObject({
      replaces: ["name"],
    });
  });

  it("read shows a description changed in the console (drift); gone is gone", async () => {
    const { id, outs } = await createScope();
    store().scopes.get(id)!.description = "edited in the console";
    const read = await scopes.read!(id, outs);
    expect(read.props).toMatchObject({ description: "edited in the console", ownership: "stack" });
    expect((await scopes.diff!(id, read.props as OrganizationScopeOutputs, scopeInputs())).changes).toBe(true);
    store().deleteScope(id);
    expect(await scopes.read!(id, outs)).toEqual({});
  });

  it("an update of a scope deleted meanwhile says so and what to run", async () => {
    const { id, outs } = await createScope();
    store().deleteScope(id);
    const error = await failureOf(() => scopes.update!(id, outs, scopeInputs({ description: "new" })));
    expect(error.message).toMatch(
      /HTTP 404 entity.not_exists.*deleted in Logto outside this stack: run `pulumi refresh`/,
    );
  });
});

describe("organization role", () => {
  it("is created with its scopes by name, once though the answer is lost", async () => {
    const scope = await createScope();
    h.logto.faults.add({ method: "POST", path: "/api/organization-roles", drop: "afterCommit" });
    const { id, outs } = await createRole();
    expect([...store().roles.keys()]).toEqual([id]);
    expect(store().roleScopes.where({ organizationRoleId: id })).toEqual([
      { organizationRoleId: id, organizationScopeId: scope.id },
    ]);
    expect(outs).toMatchObject({ name: "admin", scopes: ["read:reports"], roleId: id, ownership: "stack" });
  });

  it("refuses scopes the tenant does not have, naming each, and makes nothing", async () => {
    const error = await failureOf(() => createRole({ scopes: ["read:reports", "manage:members"] }));
    expect(error.message).toMatch(
      /creating organization role "admin" failed: the tenant has no organization scope "read:reports", "manage:members"/,
    );
    expect(store().roles.size).toBe(0);
  });

  it("replaces its scopes whole with one PUT, in place", async () => {
    await createScope();
    await createScope({ name: "manage:members" });
    const { id, outs } = await createRole();
    h.logto.requests.length = 0;
    const news = roleInputs({ scopes: ["manage:members"] });
    expect(await roles.diff!(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
    const updated = await roles.update!(id, outs, news);
    expect(writeCalls(h.logto)).toEqual([`PUT /api/organization-roles/${id}/scopes`]);
    expect(updated.outs).toMatchObject({ scopes: ["manage:members"] });
    expect(store().roleScopes.where({ organizationRoleId: id })).toHaveLength(1);
  });

  it("read shows scopes changed in the console; same scopes in another order are no drift", async () => {
    const a = await createScope();
    const b = await createScope({ name: "manage:members" });
    const { id, outs } = await createRole({ scopes: ["read:reports", "manage:members"] });
    const same = await roles.read!(id, outs);
    expect((same.props as OrganizationRoleOutputs).scopes).toEqual(["read:reports", "manage:members"]);
    store().roleScopes.deleteWhere({ organizationRoleId: id, organizationScopeId: b.id });
    const drifted = await roles.read!(id, outs);
    expect((drifted.props as OrganizationRoleOutputs).scopes).toEqual(["read:reports"]);
    expect(
      (
        await roles.diff!(
          id,
          drifted.props as OrganizationRoleOutputs,
          roleInputs({ scopes: ["read:reports", "manage:members"] }),
        )
      ).changes,
    ).toBe(true);
    expect(a.id).toBeTruthy();
  });

  it("one made elsewhere is used as it is, said at create, never changed or deleted", async () => {
    await createScope();
    const theirs = await roleMadeElsewhere("admin");
    h.logto.requests.length = 0;
    let created: Awaited<ReturnType<typeof createRole>> | undefined;
    const notices = await noticesDuring(async () => (created = await createRole()));
    expect(created!.id).toBe(theirs.id);
    expect(created!.outs).toMatchObject({ ownership: "external", scopes: [] });
    expect(notices.join("\n")).toMatch(/exists already .* grants no scope; this stack uses it as it is/);
    expect((await roles.diff!(theirs.id, created!.outs, roleInputs())).changes).toBe(false);
    await noticesDuring(() => roles.delete!(theirs.id, created!.outs));
    expect(writeCalls(h.logto).filter((line) => !line.startsWith("POST /api/organization-scopes"))).toEqual([]);
    expect(store().roles.has(theirs.id)).toBe(true);
  });

  it("deleting the stack's role says what that costs, and removes it; gone already is no error", async () => {
    const { id, outs } = await createRole({ scopes: [] });
    const notices = await noticesDuring(() => roles.delete!(id, outs));
    expect(notices.join("\n")).toMatch(
      /deleting organization role "admin" .*made by this stack: no organization of the tenant has it as JIT default role or a member holding it/,
    );
    expect(store().roles.has(id)).toBe(false);
    await noticesDuring(() => roles.delete!(id, outs));
    expect(await roles.read!(id, outs)).toEqual({});
  });

  it("the stack's role that an organization elsewhere has as JIT default role is kept, naming it", async () => {
    const { id, outs } = await createRole({ scopes: [] });
    const elsewhere = await organizationMadeElsewhere("Northwind");
    await giveJitDefaultRole(elsewhere, id);
    const notices = await noticesDuring(() => roles.delete!(id, outs));
    expect(notices.join("\n")).toMatch(
      new RegExp(
        `organization role "admin" \\(id ${id}\\) was made by this stack but is in use in the tenant \\(organization "Northwind" \\(id ${elsewhere}\\): its JIT default role\\), so it is kept in Logto and only leaves the state`,
      ),
    );
    expect(store().roles.has(id)).toBe(true);
    expect(writeCalls(h.logto).filter((line) => line.startsWith("DELETE"))).toEqual([]);
  });

  it("the stack's role held by a member of any organization is kept, saying how many hold it", async () => {
    const { id, outs } = await createRole({ scopes: [] });
    const other = await createRole({ name: "member", scopes: [] });
    await organizationMadeElsewhere("Empty");
    const elsewhere = await organizationMadeElsewhere("Northwind");
    memberHolding(elsewhere, id, "alice");
    memberHolding(elsewhere, id, "bob");
    memberHolding(elsewhere, other.id, "carol");
    const notices = await noticesDuring(() => roles.delete!(id, outs));
    expect(notices.join("\n")).toContain(`(organization "Northwind" (id ${elsewhere}): held by 2 members)`);
    expect(store().roles.has(id)).toBe(true);
    // Nobody holds "admin" any more once its members are gone: then the stack's role is deleted.
    store().memberRoles.deleteWhere({ organizationRoleId: id });
    const later = await noticesDuring(() => roles.delete!(id, outs));
    expect(later.join("\n")).toMatch(/deleting organization role "admin" .*made by this stack: no organization/);
    expect(store().roles.has(id)).toBe(false);
    expect(store().roles.has(other.id)).toBe(true);
  });

  it("reads every organization page by page, stopping once enough uses are found", async () => {
    const { id, outs } = await createRole({ scopes: [] });
    for (let n = 0; n < 105; n++) await organizationMadeElsewhere(`Customer ${n}`);
    const last = await organizationMadeElsewhere("Last");
    await giveJitDefaultRole(last, id);
    h.logto.requests.length = 0;
    const notices = await noticesDuring(() => roles.delete!(id, outs));
    expect(notices.join("\n")).toContain(`organization "Last" (id ${last}): its JIT default role`);
    expect(store().roles.has(id)).toBe(true);
    const lists = h.logto.requests.filter((r) => r.method === "GET" && r.path === "/api/organizations");
    expect(lists.map((r) => r.query)).toEqual([
      { page: "1", page_size: "100" },
      { page: "2", page_size: "100" },
    ]);
  });

  it("past its bound of organizations read, a role counts as used: it is kept, saying why", async () => {
    const { id } = await createRole({ scopes: [] });
    const unused = await organizationRoleUsage(managementClient(), id, "it", 150);
    expect(unused).toEqual({ uses: [], more: false });
    for (let n = 0; n < 250; n++) {
      const organizationId = `org${n}`;
      store().organizations.set(organizationId, {
        tenantId: "default",
        id: organizationId,
        name: `Customer ${n}`,
        description: null,
        customData: {},
        isMfaRequired: false,
        color: {},
        branding: {},
        customCss: null,
        createdAt: Date.now(),
      });
    }
    h.logto.requests.length = 0;
    expect(await organizationRoleUsage(managementClient(), id, "it", 150)).toEqual({
      uses: ["only the first 200 organizations were checked, the tenant has more"],
      more: true,
    });
    const lists = h.logto.requests.filter((r) => r.method === "GET" && r.path === "/api/organizations");
    expect(lists.map((r) => r.query.page)).toEqual(["1", "2"]);
  });

  it("the stack's scope that a role left in the tenant grants is kept; unused, it is deleted", async () => {
    const { id, outs } = await createScope();
    const theirs = await roleMadeElsewhere("auditor");
    await managementClient().send({
      method: "PUT",
      path: "/api/organization-roles/{id}/scopes",
      params: { id: theirs.id },
      body: { organizationScopeIds: [id] },
      action: "granting it elsewhere",
    });
    const notices = await noticesDuring(() => scopes.delete!(id, outs));
    expect(notices.join("\n")).toContain(
      `organization scope "read:reports" (id ${id}) was made by this stack but is in use in the tenant (granted by organization role "auditor" (id ${theirs.id}))`,
    );
    expect(store().scopes.has(id)).toBe(true);
    store().roleScopes.deleteWhere({ organizationRoleId: theirs.id });
    await noticesDuring(() => scopes.delete!(id, outs));
    expect(store().scopes.has(id)).toBe(false);
  });
});
