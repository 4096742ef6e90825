import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { organizationProvider as provider } from "../../providers/logto/organization/provider";
import type { OrganizationInputs, OrganizationOutputs } from "../../providers/logto/organization/schema";
import { userRow } from "../../local/standins/logto/state";
import { organizationJitProvider } from "../../providers/logto/organizationJit/provider";
import type { OrganizationJitInputs } from "../../providers/logto/organizationJit/schema";
import { startLogtoStandIn } from "../../local/standins/logto";
import { ProviderHarness, calls, failureOf, noticesDuring, startProviderHarness, writeCalls } from "./harness";
import { FaultInjector } from "../../local/standins/shared/faults";
import { startLogtoFront } from "../engine/day2/logtoFront";

let h: ProviderHarness;

function inputs(overrides: Partial<OrganizationInputs> = {}): OrganizationInputs {
  return {
    name: "Contoso",
    description: "Customer Contoso",
    adoptOrganizationId: "",
    endpoint: h.logto.url,
    ...overrides,
  };
}

async function create(overrides: Partial<OrganizationInputs> = {}) {
  const result = await provider.create(inputs(overrides));
  return { id: result.id, outs: result.outs as OrganizationOutputs };
}

const store = () => h.logto.state.organizations;

/** An organization someone made in the console, with `members` users in it. */
function consoleOrganization(name: string, members = 0): string {
  const id = `console${store().organizations.size}`;
  store().organizations.set(id, {
    tenantId: "default",
    id,
    name,
    description: null,
    customData: {},
    isMfaRequired: false,
    color: {},
    branding: {},
    customCss: null,
    createdAt: Date.now(),
  });
  addMembers(id, members);
  return id;
}

function addMembers(organizationId: string, count: number): void {
  for (let n = 0; n < count; n++) {
    const userId = `${organizationId}-user${n}`;
    h.logto.state.users.set(userId, userRow({ id: userId, createdAt: Date.now(), name: `User ${n}` }));
    store().members.insert([{ organizationId, userId }]);
  }
}

beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

describe("check", () => {
  it("names Logto's limits and fills defaults", async () => {
    const result = await provider.check!({} as OrganizationInputs, { name: "" } as OrganizationInputs);
    expect(result.failures).toEqual([{ property: "name", reason: "name is empty: give the organization a name." }]);
    expect(result.inputs).toMatchObject({ description: "", adoptOrganizationId: "", endpoint: h.logto.url });
  });
});

describe("create", () => {
  it("makes no duplicate when the answer is lost, though another organization has the same name", async () => {
    const twin = consoleOrganization("Contoso");
    h.logto.faults.add({ method: "POST", path: "/api/organizations", drop: "afterCommit" });
    const { id, outs } = await create();
    expect([...store().organizations.keys()].sort()).toEqual([twin, id].sort());
    expect(id).not.toBe(twin);
    expect(outs).toEqual({ ...inputs(), organizationId: id, adopted: false });
  });

  it("a second organization of the same name is another organization (names are not unique)", async () => {
    const first = await create();
    const second = await create();
    expect(second.id).not.toBe(first.id);
  });

  it("adopts an existing organization by id, updating what differs", async () => {
    const id = consoleOrganization("Contoso (console)");
    h.logto.requests.length = 0;
    const adopted = await create({ adoptOrganizationId: id });
    expect(adopted.id).toBe(id);
    expect(adopted.outs).toMatchObject({ organizationId: id, adopted: true, name: "Contoso" });
    expect(writeCalls(h.logto)).toEqual([`PATCH /api/organizations/${id}`]);
    expect(store().organizations.get(id)).toMatchObject({ name: "Contoso", description: "Customer Contoso" });
  });

  it("refuses to adopt an id Logto does not have, naming it", async () => {
    const error = await failureOf(() => create({ adoptOrganizationId: "nope123" }));
    expect(error.message).toMatch(/has no organization with id nope123 \(adoptOrganizationId\)/);
    expect(store().organizations.size).toBe(0);
  });
});

describe("update and diff", () => {
  it("renames and redescribes in place: the organization and its members stay", async () => {
    const { id, outs } = await create();
    addMembers(id, 2);
    const news = inputs({ name: "Contoso Ltd", description: "" });
    expect(await provider.diff!(id, outs, news)).toEqual({ changes: true, replaces: [], deleteBeforeReplace: false });
    h.logto.requests.length = 0;
    const updated = await provider.update!(id, outs, news);
    expect(writeCalls(h.logto)).toEqual([`PATCH /api/organizations/${id}`]);
    expect(h.logto.requests.find((r) => r.method === "PATCH")?.body).toEqual({
      name: "Contoso Ltd",
      description: null,
    });
    expect(updated.outs).toMatchObject({ name: "Contoso Ltd", description: "", organizationId: id });
    expect(store().members.where({ organizationId: id })).toHaveLength(2);
  });

  it("giving the managed organization's own id later changes nothing in Logto", async () => {
    const { id, outs } = await create();
    const diff = await provider.diff!(id, outs, inputs({ adoptOrganizationId: id }));
    expect(diff.replaces).toEqual([]);
  });

  it("adopting another organization replaces this one in the state, claiming nothing of its fate", async () => {
    const { id, outs } = await create();
    addMembers(id, 3);
    const other = consoleOrganization("Contoso (console)");
    let diff: Awaited<ReturnType<NonNullable<typeof provider.diff>>> | undefined;
    const notices = await noticesDuring(async () => {
      diff = await provider.diff!(id, outs, inputs({ adoptOrganizationId: other }));
    });
    expect(diff!.replaces).toEqual(["adoptOrganizationId"]);
    // Kept (retainOnDelete, the default) or deleted: the organization guard says which (organizationGuard.test.ts).
    expect(notices).toEqual([]);
  });

  it("an update of an organization deleted in the console says so (PATCH's own 404 code)", async () => {
    const { id, outs } = await create();
    store().deleteOrganization(id);
    const error = await failureOf(() => provider.update!(id, outs, inputs({ name: "Contoso Ltd" })));
    expect(error.message).toMatch(
      /HTTP 404 entity.not_exists: The organization does not exist\. organization "Contoso" .* was deleted in Logto outside this stack: run `pulumi refresh`/,
    );
  });
});

describe("read", () => {
  it("shows a rename made in the console (drift), and an organization deleted there as gone", async () => {
    const { id, outs } = await create();
    store().organizations.get(id)!.name = "Renamed in console";
    const read = await provider.read!(id, outs);
    expect(read.props).toMatchObject({ name: "Renamed in console", adopted: false });
    expect(read.inputs).not.toHaveProperty("organizationId");
    expect((await provider.diff!(id, read.props as OrganizationOutputs, inputs())).changes).toBe(true);
    store().deleteOrganization(id);
    expect(await provider.read!(id, outs)).toEqual({});
  });

  it("a 404 without Logto's code (a proxy's page) is an error, not a deleted organization", async () => {
    const { id, outs } = await create();
    h.logto.faults.add({ method: "GET", path: `/api/organizations/${id}`, status: 404, body: "Not Found" });
    const error = await failureOf(() => provider.read!(id, outs));
    expect(error.message).toMatch(/reading organization \w+ failed: HTTP 404/);
  });
});

describe("delete", () => {
  it("says how many members the organization it deletes has, then deletes it", async () => {
    const { id, outs } = await create();
    addMembers(id, 2);
    const notices = await noticesDuring(() => provider.delete!(id, outs));
    expect(notices.join("\n")).toMatch(/deleting organization "Contoso" \(id \w+\): it has 2 members/);
    expect(calls(h.logto)).toContain(`DELETE /api/organizations/${id}`);
    expect(store().organizations.has(id)).toBe(false);
    // Gone already: no error.
    await noticesDuring(() => provider.delete!(id, outs));
  });

  it("only unlinks an adopted organization: it stays with its members", async () => {
    const id = consoleOrganization("Contoso", 1);
    const adopted = await create({ adoptOrganizationId: id });
    h.logto.requests.length = 0;
    const notices = await noticesDuring(() => provider.delete!(id, adopted.outs));
    expect(notices.join("\n")).toMatch(/was adopted .* kept in Logto with its members/);
    expect(writeCalls(h.logto)).toEqual([]);
    expect(store().members.where({ organizationId: id })).toHaveLength(1);
  });
});

describe("logto:endpoint re-pointed", () => {
  it("the same Logto under another address: organization and JIT updated in place, nothing sent", async () => {
    const { id, outs } = await create();
    const jitIn: OrganizationJitInputs = {
      organizationId: id,
      ssoConnectorIds: [],
      roles: [],
      emailDomains: ["contoso.com"],
      endpoint: h.logto.url,
    };
    await organizationJitProvider.create(jitIn);
    const tunnel = await startLogtoFront(h.logto.url, new FaultInjector(), { ownIssuer: false });
    try {
      await h.configure({ "logto:endpoint": tunnel.url });
      h.logto.requests.length = 0;
      const news = inputs({ endpoint: tunnel.url });
      expect(await provider.diff!(id, outs, news)).toMatchObject({ changes: true, replaces: [] });
      const jitNews = { ...jitIn, endpoint: tunnel.url };
      expect(await organizationJitProvider.diff!(id, jitIn, jitNews)).toMatchObject({ changes: true, replaces: [] });
      expect((await provider.update!(id, outs, news)).outs).toMatchObject({ endpoint: tunnel.url, organizationId: id });
      await organizationJitProvider.update!(id, jitIn, jitNews);
      expect(writeCalls(h.logto)).toEqual([]);
    } finally {
      await tunnel.close();
    }
  });

  it("another Logto is refused at preview, saying what a move would cost the members", async () => {
    const { id, outs } = await create();
    const other = await startLogtoStandIn({ m2mAppId: h.logto.m2mAppId, m2mAppSecret: h.logto.m2mAppSecret });
    try {
      await h.configure({ "logto:endpoint": other.url });
      const error = await failureOf(() => provider.diff!(id, outs, inputs({ endpoint: other.url })));
      expect(error.message).toMatch(/does not hold it: that is another Logto/);
      expect(error.message).toMatch(/old one's members lose their memberships/);
    } finally {
      await other.close();
    }
  });
});
