/**
 * The organization guard over the Logto stand-in: what a change (or destroy) does to each organization that
 * leaves the stack, said with its name and member count read from Logto, from the record of the last `up`.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { startLogtoStandIn } from "../../local/standins/logto";
import { userRow } from "../../local/standins/logto/state";
import { organizationProvider } from "../../providers/logto/organization/provider";
import type { OrganizationOutputs } from "../../providers/logto/organization/schema";
import { checkOrganizationGuard } from "../../providers/logto/organizationGuard/check";
import { organizationGuardProvider as provider } from "../../providers/logto/organizationGuard/provider";
import type { GuardedOrganization } from "../../providers/logto/organizationGuard/schema";
import { ProviderHarness, calls, noticesDuring, startProviderHarness, writeCalls } from "./harness";

let h: ProviderHarness;
beforeAll(async () => {
  h = await startProviderHarness();
});
afterAll(async () => h.close());
beforeEach(async () => h.reset());

const store = () => h.logto.state.organizations;

/** An organization made by the organization provider, with `members` users in it. */
async function organization(name: string, members: number): Promise<string> {
  const { id } = await organizationProvider.create({ name, description: "", adoptOrganizationId: "", endpoint: "" });
  for (let n = 0; n < members; n++) {
    const userId = `${id}-user${n}`;
    h.logto.state.users.set(userId, userRow({ id: userId, createdAt: Date.now(), name: `User ${n}` }));
    store().members.insert([{ organizationId: id, userId }]);
  }
  return id;
}

function guarded(connection: string, organizationId: string, overrides: Partial<GuardedOrganization> = {}) {
  return { connection, organizationId, deleteOnRemoval: false, adopted: false, ...overrides };
}

async function checkSays(olds: GuardedOrganization[] | undefined, news: GuardedOrganization[]): Promise<string> {
  h.logto.requests.length = 0;
  const notices = await noticesDuring(async () => {
    const result = await checkOrganizationGuard(olds && { organizations: olds }, { organizations: news });
    expect(result.failures).toEqual([]);
    expect(result.inputs).toEqual({ organizations: news, endpoint: h.logto.url });
  });
  return notices.join("\n");
}

describe("check", () => {
  it("says an organization that leaves the stack is deleted: its name, id and member count, and what goes with it", async () => {
    const contoso = await organization("Contoso", 1);
    const said = await checkSays([guarded("contoso", contoso, { deleteOnRemoval: true })], []);
    expect(said).toContain(
      `organization "Contoso" (id ${contoso}) of connection contoso leaves the stack and is deleted in Logto (deleteOrganizationOnRemoval was on at the last pulumi up): it has 1 member, whose memberships and organization roles Logto deletes with it (their user accounts stay`,
    );
    expect(said).toContain("To keep it instead, put the entry back with deleteOrganizationOnRemoval off");
    // Said only: nothing is written.
    expect(writeCalls(h.logto)).toEqual([]);
  });

  it("says a kept one is kept with its members, and why: the setting at the last up, or adoption", async () => {
    const fabrikam = await organization("Fabrikam", 3);
    const northwind = await organization("Northwind", 0);
    const said = await checkSays(
      [guarded("fabrikam", fabrikam), guarded("northwind", northwind, { deleteOnRemoval: true, adopted: true })],
      [],
    );
    expect(said).toContain(
      `organization "Fabrikam" (id ${fabrikam}) of connection fabrikam leaves the stack and is kept in Logto with its 3 members and their organization roles (deleteOrganizationOnRemoval was off at the last pulumi up)`,
    );
    expect(said).toContain(
      `organization "Northwind" (id ${northwind}) of connection northwind leaves the stack and is kept in Logto with its 0 members and their organization roles (it was adopted (adoptOrganizationId)`,
    );
    expect(said).not.toContain("is deleted");
  });

  it("counts the members from one row of the member list and its Total-Number header", async () => {
    const contoso = await organization("Contoso", 150);
    const said = await checkSays([guarded("contoso", contoso, { deleteOnRemoval: true })], []);
    expect(said).toContain("it has 150 members");
    const memberLists = h.logto.requests.filter((r) => r.path === `/api/organizations/${contoso}/users`);
    expect(memberLists.map((r) => r.query)).toEqual([{ page: "1", page_size: "1" }]);
  });

  it("follows the record of the last up, not this run's setting; a continued organization (same id) says nothing", async () => {
    const contoso = await organization("Contoso", 1);
    // Renamed connection, setting turned on in this run: the organization stays, nothing is said nor asked.
    const said = await checkSays(
      [guarded("contoso", contoso)],
      [guarded("contoso-eu", contoso, { deleteOnRemoval: true })],
    );
    expect(said).toBe("");
    expect(calls(h.logto).filter((call) => call.startsWith("GET /api/organizations"))).toEqual([]);
  });

  it("says nothing for a state without a record (older states), and when nothing leaves", async () => {
    const contoso = await organization("Contoso", 1);
    expect(await checkSays(undefined, [guarded("contoso", contoso, { deleteOnRemoval: true })])).toBe("");
    // An organization replaced by adopting another: the new id is not known at preview, and continues nothing.
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const said = await checkSays([guarded("contoso", contoso)], [guarded("contoso", unknown)]);
    expect(said).toContain(`(id ${contoso}) of connection contoso leaves the stack and is kept`);
  });

  it("asks the Logto the record was made at, after a move of logto:endpoint, and records the new one", async () => {
    const contoso = await organization("Contoso", 1);
    const second = await startLogtoStandIn({ m2mAppId: h.logto.m2mAppId, m2mAppSecret: h.logto.m2mAppSecret });
    try {
      await h.configure({ "logto:endpoint": second.url });
      const notices = await noticesDuring(async () => {
        const result = await checkOrganizationGuard(
          { organizations: [guarded("contoso", contoso, { deleteOnRemoval: true })], endpoint: h.logto.url },
          { organizations: [] },
        );
        expect(result.inputs?.endpoint).toBe(second.url);
      });
      expect(notices.join("\n")).toContain(
        `organization "Contoso" (id ${contoso}) of connection contoso leaves the stack and is deleted`,
      );
      expect(second.requests.filter((r) => r.path.startsWith("/api/organizations"))).toEqual([]);
    } finally {
      await h.configure({ "logto:endpoint": h.logto.url });
      await second.close();
    }
  });

  it("says an organization deleted outside the stack is gone", async () => {
    const said = await checkSays([guarded("contoso", "gone123", { deleteOnRemoval: true })], []);
    expect(said).toContain(
      "organization gone123 of connection contoso leaves the stack; Logto no longer has it (deleted outside the stack)",
    );
  });
});

describe("diff", () => {
  it("is a change of the record only", async () => {
    const record = { organizations: [guarded("contoso", "org1")] };
    expect((await provider.diff!("organizations", record, record)).changes).toBe(false);
    const turnedOn = { organizations: [guarded("contoso", "org1", { deleteOnRemoval: true })] };
    expect((await provider.diff!("organizations", record, turnedOn)).changes).toBe(true);
  });

  it("at preview, takes a field not known yet of a recorded organization as recorded; a new one is a change", async () => {
    const unknown = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";
    const record = { organizations: [guarded("contoso", "org1")] };
    const renamed = { organizations: [{ ...guarded("contoso", "org1"), adopted: unknown as unknown as boolean }] };
    expect((await provider.diff!("organizations", record, renamed)).changes).toBe(false);
    const added = { organizations: [...record.organizations, guarded("fabrikam", unknown)] };
    expect((await provider.diff!("organizations", record, added)).changes).toBe(true);
  });
});

describe("delete (pulumi destroy, or the program no longer declaring it)", () => {
  it("says each recorded organization's fate before the organizations go, and writes nothing", async () => {
    const contoso = await organization("Contoso", 1);
    const fabrikam = await organization("Fabrikam", 2);
    h.logto.requests.length = 0;
    const notices = await noticesDuring(() =>
      provider.delete!("organizations", {
        organizations: [guarded("contoso", contoso, { deleteOnRemoval: true }), guarded("fabrikam", fabrikam)],
      }),
    );
    const said = notices.join("\n");
    expect(said).toContain(
      `organization "Contoso" (id ${contoso}) of connection contoso leaves the stack and is deleted`,
    );
    expect(said).toContain("it has 1 member,");
    expect(said).toContain(
      `organization "Fabrikam" (id ${fabrikam}) of connection fabrikam leaves the stack and is kept in Logto with its 2 members`,
    );
    expect(writeCalls(h.logto)).toEqual([]);
    expect(store().organizations.has(contoso)).toBe(true);
  });
});

/** The state of an organization the stack made (not adopted). */
function madeByTheStack(name: string, id: string): OrganizationOutputs {
  return { name, description: "", adoptOrganizationId: "", endpoint: h.logto.url, organizationId: id, adopted: false };
}

describe("the organization provider's delete", () => {
  it("counts the members it deletes with one request, however many there are", async () => {
    const id = await organization("Contoso", 120);
    const outs = madeByTheStack("Contoso", id);
    h.logto.requests.length = 0;
    const notices = await noticesDuring(() => organizationProvider.delete!(id, outs));
    expect(notices.join("\n")).toContain(`deleting organization "Contoso" (id ${id}): it has 120 members`);
    expect(calls(h.logto).filter((call) => call.startsWith("GET "))).toEqual([`GET /api/organizations/${id}/users`]);
  });
});

describe("an organization the guard says is deleted", () => {
  it("is said deleted once: the organization's own delete that follows in the run does not say it again", async () => {
    const id = await organization("Contoso", 3);
    const outs = madeByTheStack("Contoso", id);
    const said = await noticesDuring(async () => {
      await checkOrganizationGuard({ organizations: [guarded("contoso", id, { deleteOnRemoval: true })] }, {});
      await organizationProvider.delete!(id, outs);
    });
    expect(said.filter((notice) => notice.includes(`(id ${id})`) && notice.includes("it has 3 members"))).toHaveLength(
      1,
    );
    expect(store().organizations.has(id)).toBe(false);
  });
});
