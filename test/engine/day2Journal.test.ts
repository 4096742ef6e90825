/**
 * The day-2 journal (issue 23): the real program (infra/) under the real engine, run for months as a platform
 * team runs it, against the Logto and Entra stand-ins (which keep users and SSO identities as Logto and Entra
 * do). People of three customer tenants sign in first; then every routine operation is done as the README and
 * docs/ tell a user, and the same people sign in at every checkpoint (also between a failed `up` and the one
 * that fixes it), over HTTP (local/browser/http-sign-in.ts) to an app of the Logto tenant. Each operation is one
 * step that records its row (operation, plan, sign-ins, same Logto user, verdict, see day2/journal.ts) and
 * fails when its row fails; later steps go on from whatever state it left. The table is printed at the end and
 * written to test-results/day2-journal.md.
 *
 * B2B (issue 19): the stack has an organization template, and contoso and fabrikam an `organization` joined just
 * in time through their connectors, so their people become members at their first sign-in. At every checkpoint
 * each of them must come back a member with the roles their Logto user joined with (the ID token's
 * `organization_roles`, what the app shows), and the stack's organization must keep its id: an operation that
 * cut members off fails its row. Three rows change the organization itself (rename, default roles, the
 * connection's domains with `provisionEmailDomains`) and read its members through the Management API.
 *
 * Time: about 10 minutes on a quiet 2-core machine (each `up` 10-40 s, an app registration's deletion ~25 s of
 * the azuread provider's waits, destroy at the end), bounded by the step timeouts below.
 */
import path from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

import { addPassword, graphClient } from "../../local/standins/entra/testing";
import type { HttpSignInOutcome } from "../../local/browser/http-sign-in";
import { logtoManagementApi } from "../../local/browser/chain";
import { Journal, JournalRow, namesLinkLoss, type ExpectedMembership } from "./day2/journal";
import {
  applyConnections,
  customerAddsRedirectUri,
  customerRegistersApp,
  grantConsent,
  people,
  signInAs,
  stackAppsIn,
  openJournalStack,
  type JournalStack,
  tenants,
  type Connection,
  type ConnectionOrganization,
  type PersonKey,
  type World,
} from "./day2/world";
import { repoRoot, type EngineSandbox } from "../../local/engine/engine";

const stepTimeout = 8 * 60_000;
const dayMs = 24 * 60 * 60 * 1000;

let journalStack: JournalStack | undefined;
let world: World;
let engine: EngineSandbox;
const journal = new Journal();
/** The connection list as it stands in Pulumi.<stack>.yaml. */
let connections: Connection[] = [];
/** `logto:endpoint` as configured. */
let endpoint = "";
/** Who has a connection that should sign them in now. */
const standing = new Set<PersonKey>(["adele", "bianca", "nora"]);

/** Each organization's id (by its connection's tenant), as the stack's output gave it first. */
const organizationIds = new Map<string, string>();
/** The organization roles each Logto user joined with (Logto gives them once, when the user joins). */
const joinedWith = new Map<string, string[]>();

/** The connection serving a tenant now (its name changes with renames). */
function connectionOf(tenantId: string): Connection {
  const found = connections.find((connection) => connection.tenantId === tenantId);
  if (!found) throw new Error(`no connection for tenant ${tenantId}`);
  return found;
}

function replaceConnection(tenantId: string, next: Connection): void {
  connections = connections.map((connection) => (connection.tenantId === tenantId ? next : connection));
}

async function apply(): Promise<void> {
  await applyConnections(engine.stack, world, connections, endpoint);
}

interface ConnectionOutput {
  entraClientId: string;
  callbackUri: string;
  connectorId: string;
  customerAdminSteps?: string[];
  organization?: { id: string; name: string };
}

async function connectionOutputs(): Promise<Record<string, ConnectionOutput>> {
  return ((await engine.stack.outputs()).connections?.value as Record<string, ConnectionOutput> | undefined) ?? {};
}

async function outputOf(name: string): Promise<ConnectionOutput | undefined> {
  return (await connectionOutputs())[name];
}

/**
 * The membership a person's Logto user must have: Logto provisions a user into the organizations JIT-linked to
 * the connector once, when they join through it (a new user, or an SSO identity newly linked to one), with the
 * connector's default roles then; later sign-ins provision nothing (logto-io/logto core 1.42
 * `src/routes/experience/classes/libraries/provision-library.ts`, `provisionNewUserJitOrganizations`, and
 * `src/libraries/user.ts`, `insertJitMemberships`). So a user keeps the roles they joined with.
 */
function membershipOf(person: PersonKey, userId: string): ExpectedMembership | undefined {
  const { tenantId } = people[person];
  const organization = connections.find((connection) => connection.tenantId === tenantId)?.organization;
  const organizationId = organizationIds.get(tenantId);
  if (!organization || !organizationId) return undefined;
  const roles = joinedWith.get(userId) ?? organization.defaultRoles;
  joinedWith.set(userId, roles);
  return { organizationId, organizationName: organization.name, roles };
}

/** The stack's organizations keep their ids (one replaced would leave its members behind in the old one). */
async function organizationsKept(row: JournalRow): Promise<void> {
  const outputs = await connectionOutputs();
  for (const connection of connections.filter((candidate) => candidate.organization)) {
    const id = outputs[connection.name]?.organization?.id;
    if (!id) continue;
    world.made.organizations.add(id);
    const known = organizationIds.get(connection.tenantId);
    if (known && known !== id)
      row.fail(`${connection.name}'s organization was replaced (${known} → ${id}): its members stay in the old one`);
    organizationIds.set(connection.tenantId, id);
  }
}

/** An organization as the Logto console shows it: name, JIT settings and members with their roles. */
interface OrganizationInLogto {
  name: string;
  jitRoles: string[];
  jitEmailDomains: string[];
  members: Map<string, string[]>;
}

async function organizationInLogto(tenantId: string): Promise<OrganizationInLogto> {
  const id = organizationIds.get(tenantId);
  if (!id) throw new Error(`no organization for tenant ${tenantId}`);
  const api = await logtoManagementApi({ ...world.logto, url: world.appLogtoUrl });
  const read = async <T>(path: string) => {
    const answer = await api("GET", `/api/organizations/${id}${path}`);
    if (answer.status !== 200) throw new Error(`GET organization ${id}${path}: ${answer.status}`);
    return answer.body as T;
  };
  const { name } = await read<{ name: string }>("");
  const jitRoles = await read<Array<{ name: string }>>("/jit/roles");
  const jitEmailDomains = await read<Array<{ emailDomain: string }>>("/jit/email-domains");
  const users = await read<Array<{ id: string; organizationRoles: Array<{ name: string }> }>>("/users?page_size=100");
  return {
    name,
    jitRoles: jitRoles.map((role) => role.name).sort(),
    jitEmailDomains: jitEmailDomains.map((domain) => domain.emailDomain).sort(),
    members: new Map(users.map((user) => [user.id, user.organizationRoles.map((role) => role.name).sort()])),
  };
}

/**
 * An organization row's check through the Management API: the same organization, named and JIT-set as
 * declared, and every member it had before still a member with the same roles.
 */
async function organizationAfter(row: JournalRow, connection: Connection, before: OrganizationInLogto) {
  const declared = connection.organization;
  if (!declared) throw new Error(`${connection.name} has no organization`);
  const after = await organizationInLogto(connection.tenantId);
  const expected = {
    name: declared.name,
    jitRoles: [...declared.defaultRoles].sort(),
    jitEmailDomains: declared.provisionEmailDomains ? [...connection.domains].sort() : [],
  };
  const seen = { name: after.name, jitRoles: after.jitRoles, jitEmailDomains: after.jitEmailDomains };
  if (JSON.stringify(seen) !== JSON.stringify(expected))
    row.fail(`Logto's organization is ${JSON.stringify(seen)}, declared ${JSON.stringify(expected)}`);
  const lost = [...before.members].filter(([userId, roles]) => after.members.get(userId)?.join() !== roles.join());
  if (lost.length > 0) row.fail(`${lost.length} member(s) lost or changed roles: ${lost.map(([id]) => id).join(", ")}`);
  row.note(
    `Logto (Management API): organization "${after.name}", same id, JIT roles [${after.jitRoles.join(", ")}], ` +
      `JIT email domains [${after.jitEmailDomains.join(", ")}], members kept ${before.members.size - lost.length}/${before.members.size} of ${after.members.size}`,
  );
  return after;
}

/**
 * After an organization change: the standing people (and a newcomer, at their first sign-in) at a checkpoint,
 * then the organization read back from Logto; the row closes.
 */
async function afterOrganizationChange(
  row: JournalRow,
  label: string,
  changed: { connection: Connection; before: OrganizationInLogto },
  newcomer?: PersonKey,
): Promise<void> {
  await checkpoint(row, label, [], newcomer ? [newcomer] : []);
  if (newcomer) standing.add(newcomer);
  await organizationAfter(row, changed.connection, changed.before);
  finish(row);
}

/** An organization change as the docs tell it: the entry's `organization` edited, preview, up. */
async function changeOrganization(
  row: JournalRow,
  tenantId: string,
  edit: (connection: Connection, organization: ConnectionOrganization) => Connection,
): Promise<{ connection: Connection; before: OrganizationInLogto }> {
  const current = connectionOf(tenantId);
  if (!current.organization) throw new Error(`${current.name} has no organization`);
  const before = await organizationInLogto(tenantId);
  const connection = edit(current, current.organization);
  replaceConnection(tenantId, connection);
  await apply();
  if ((await change(row)).refused) row.fail("refused at preview");
  return { connection, before };
}

/**
 * A change that may cut people's links, applied: whether what it told named that, and when it was refused, the
 * connection as it was before put back.
 */
async function changeThatMayCutLinks(row: JournalRow, before: Connection): Promise<void> {
  await apply();
  const made = await change(row);
  row.saidSo = namesLinkLoss(made.told);
  if (made.refused) {
    row.note(`refused at preview${row.saidSo ? ", naming the consequence" : ""}; not applied`);
    replaceConnection(before.tenantId, before);
    await apply();
  }
}

/** The first line of an engine failure that says what went wrong, without the resource it was printed under. */
function errorLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  const line =
    text.split("\n").find((candidate) => /\berror: /.test(candidate) && !/^\s*(at |stderr|stdout)/.test(candidate)) ??
    text.split("\n")[0];
  const message = line.replace(/^.*?\berror: /, "").trim();
  return message.length > 200 ? `${message.slice(0, 199)}…` : message;
}

/**
 * A plan as a person reads it: counts per operation (a replacement once, "delete first" when the old object
 * goes before the new one is made), and the connectors and app registrations it creates, deletes or replaces.
 */
function planSummary(changes: { op: string; type: string; name: string }[]): string {
  const steps = changes.filter((step) => !step.type.startsWith("pulumi:providers:"));
  if (steps.length === 0) return "no changes";
  const counts = new Map<string, number>();
  for (const step of steps) {
    if (step.op === "create-replacement" || step.op === "delete-replaced") continue;
    counts.set(step.op, (counts.get(step.op) ?? 0) + 1);
  }
  const deletedFirst = (name: string) => {
    const order = steps.filter((step) => step.name === name).map((step) => step.op);
    return (
      order.indexOf("delete-replaced") >= 0 && order.indexOf("delete-replaced") < order.indexOf("create-replacement")
    );
  };
  const notable = steps
    .filter(
      (step) =>
        ["create", "delete", "replace"].includes(step.op) && /-(sso-connector|entra-registration)$/.test(step.name),
    )
    .map(
      (step) => `${step.op} ${step.name}${step.op === "replace" && deletedFirst(step.name) ? " (delete first)" : ""}`,
    );
  return `${[...counts].map(([op, count]) => `${count} ${op}`).join(", ")}${notable.length ? ` [${notable.join(", ")}]` : ""}`;
}

/** `pulumi preview`: its plan goes into the row; a refusal is recorded. Returns whether it went through. */
async function preview(row: JournalRow, label = "preview"): Promise<{ ok: boolean; text: string }> {
  try {
    const { result, changes } = await engine.preview();
    row.plan(`${label}: ${planSummary(changes)}`);
    return { ok: true, text: `${result.stdout}\n${result.stderr}` };
  } catch (error) {
    const text = error instanceof Error ? error.message : String(error);
    row.plan(`${label}: refused (${errorLine(error)})`);
    return { ok: false, text };
  }
}

/** `pulumi up`: what it did (or why it failed) goes into the row; a failure fails the row unless expected. */
async function up(row: JournalRow, label = "up", failureExpected = false): Promise<{ ok: boolean; text: string }> {
  try {
    const { result, changes } = await engine.up();
    row.plan(`${label}: ${planSummary(changes)}`);
    return { ok: true, text: `${result.stdout}\n${result.stderr}` };
  } catch (error) {
    row.plan(`${label}: FAILED (${errorLine(error)})`);
    if (!failureExpected) row.fail(`${label} failed`);
    return { ok: false, text: error instanceof Error ? error.message : String(error) };
  }
}

/**
 * The opt-in a refusal names as its fix, when it is "set connections[i].<field> to true" in one of the
 * spellings the program's messages use (`--path 'connections[i].field' true`, `connections[i].field: true`).
 */
function optInNamedBy(text: string): { index: number; field: string } | undefined {
  const match =
    /connections\[(\d+)\]\.([A-Za-z]+)'?\s+true\b/.exec(text) ??
    /connections\[(\d+)\]\.([A-Za-z]+):\s*true\b/.exec(text);
  return match ? { index: Number(match[1]), field: match[2] } : undefined;
}

interface Change {
  /** Every preview's output, refusals included: what the person was told before anything changed. */
  told: string;
  /** The last refusal, when the preview refused and named no opt-in to follow (or refused again after it). */
  refused?: string;
  up?: { ok: boolean; text: string };
}

/**
 * A change as a person makes it: preview; when the preview refuses and its fix is an opt-in, the opt-in set
 * (the way an operation that cuts links must be asked for) and preview again; then up.
 */
async function change(row: JournalRow, label = ""): Promise<Change> {
  const prefix = label ? `${label} ` : "";
  let planned = await preview(row, `${prefix}preview`);
  let told = planned.text;
  if (!planned.ok) {
    const optIn = optInNamedBy(planned.text);
    const connection = optIn && connections[optIn.index];
    if (!optIn || !connection) return { told, refused: planned.text };
    row.note(`opted in as the refusal said: connections[${optIn.index}].${optIn.field}: true`);
    connections[optIn.index] = { ...connection, [optIn.field]: true };
    await apply();
    planned = await preview(row, `${prefix}preview after the opt-in`);
    told += `\n${planned.text}`;
    if (!planned.ok) {
      // The opt-in did not help: take it back, so that the next operation starts from what worked.
      connections[optIn.index] = connection;
      await apply();
      return { told, refused: planned.text };
    }
    const applied = await up(row, `${prefix}up`);
    if (applied.ok) {
      // An opt-in is for the one pulumi up that needs it, then removed (docs/configuration.md, allowUserRelink).
      const { [optIn.field]: _optIn, ...without } = connections[optIn.index] ?? connection;
      connections[optIn.index] = without as Connection;
      await apply();
      row.note(`connections[${optIn.index}].${optIn.field} removed again after the up`);
    }
    return { told, up: applied };
  }
  return { told, up: await up(row, `${prefix}up`) };
}

async function signInMany(keys: PersonKey[]): Promise<[PersonKey, HttpSignInOutcome][]> {
  const outcomes: [PersonKey, HttpSignInOutcome][] = [];
  for (const key of keys) outcomes.push([key, await signInAs(world, people[key])]);
  return outcomes;
}

/**
 * The standing people sign in (in new browser sessions), but those an earlier row broke for good; `expectedOut`
 * may fail here.
 */
async function checkpoint(row: JournalRow, label: string, expectedOut: PersonKey[] = [], extra: PersonKey[] = []) {
  const who = [...standing, ...extra].filter((key) => !journal.outOfJournal.has(key));
  await organizationsKept(row);
  return row.record(label, await signInMany(who), expectedOut, false, membershipOf);
}

/** Customers' administrators follow each provided connection's customerAdminSteps (the redirect URI). */
async function customersFollowSteps(row: JournalRow): Promise<void> {
  for (const connection of connections.filter((c) => c.mode === "provided")) {
    const output = await outputOf(connection.name);
    if (!output || !connection.clientId) continue;
    if (await customerAddsRedirectUri(world, connection.tenantId, connection.clientId, output.callbackUri))
      row.note(`${connection.name}'s admin added ${output.callbackUri} (customerAdminSteps)`);
  }
}

function finish(row: JournalRow): void {
  journal.close(row);
  expect(row.failures).toEqual([]);
}

beforeAll(async () => {
  journalStack = await openJournalStack({
    // Lets the rotation step move the program's clock past a rotation boundary (test/engine/clock-shift.cjs).
    NODE_OPTIONS: `--require ${path.join(__dirname, "clock-shift.cjs")}`,
    CLOCK_SHIFT_MS: "0",
  });
  ({ world, engine } = journalStack);
  endpoint = world.logto.url;
}, 30 * 60_000);

afterAll(async () => {
  await journal.print(path.join(repoRoot, "test-results"));
  await journalStack?.close();
}, 10 * 60_000);

describe.sequential("day-2 journal: routine operations keep every user's Logto account and sign-in", () => {
  it(
    "0. first up: contoso and fabrikam managed with organizations (fabrikam trusts its email), northwind provided; everyone signs in",
    async () => {
      const row = journal.row(
        "first up (contoso and fabrikam with an organization, default role member); customers follow customerAdminSteps; first sign-ins",
        "keep",
      );
      const northwindApp = await customerRegistersApp(world, tenants.northwind, "Northwind's Logto SSO app");
      const { suffix, role } = world.made.template;
      connections = [
        {
          name: "contoso",
          tenantId: tenants.contoso,
          domains: ["contoso.example"],
          organization: { name: `Contoso${suffix}`, defaultRoles: [role.member] },
        },
        {
          name: "fabrikam",
          tenantId: tenants.fabrikam,
          domains: ["fabrikam.example"],
          trustUnverifiedEmail: true,
          organization: { name: `Fabrikam${suffix}`, defaultRoles: [role.member], provisionEmailDomains: true },
        },
        {
          name: "northwind",
          tenantId: tenants.northwind,
          domains: ["northwind.example"],
          mode: "provided",
          clientId: northwindApp.appId,
          clientSecret: northwindApp.secret,
        },
      ];
      await apply();
      expect((await up(row)).ok).toBe(true);
      await customersFollowSteps(row);
      await checkpoint(row, "first sign-ins");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "1. logto:endpoint re-pointed to the same Logto under another address (README: Move a stack)",
    async () => {
      const row = journal.row("`logto:endpoint` re-pointed to the same Logto under another address", "keep");
      const second = await world.logto.addAddress();
      const before = await outputOf("contoso");
      endpoint = second;
      await apply();
      if ((await change(row)).refused) row.fail("refused at preview");
      const after = await outputOf("contoso");
      if (before && after && before.connectorId !== after.connectorId) row.note("contoso's connector was replaced");
      await checkpoint(row, "after up, apps still on the old address");
      await customersFollowSteps(row);
      // The stand-in is the tenant at every address (issuer and callbacks per address, as behind a custom
      // domain); a real Logto keeps the issuer of its ENDPOINT, so the apps stay at that address.
      if (world.logto.standIn) world.appLogtoUrl = second;
      await checkpoint(row, world.logto.standIn ? "apps on the new address" : "apps at Logto's issuer address");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "2. a connection renamed with formerNames",
    async () => {
      const row = journal.row("rename with `formerNames` (fabrikam → fabrikam-eu)", "keep");
      replaceConnection(tenants.fabrikam, {
        ...connectionOf(tenants.fabrikam),
        name: "fabrikam-eu",
        formerNames: ["fabrikam"],
      });
      await apply();
      if ((await change(row)).refused) row.fail("refused at preview");
      await checkpoint(row, "after up");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "2a. an organization renamed",
    async () => {
      const row = journal.row("organization renamed (fabrikam-eu's: Fabrikam → Fabrikam Europe)", "keep");
      const changed = await changeOrganization(row, tenants.fabrikam, (current, organization) => ({
        ...current,
        organization: { ...organization, name: `Fabrikam Europe${world.made.template.suffix}` },
      }));
      await afterOrganizationChange(row, "after up", changed);
    },
    stepTimeout,
  );

  it(
    "2b. a connection's email domains changed, with provisionEmailDomains",
    async () => {
      const row = journal.row(
        "domain added to a connection whose organization has `provisionEmailDomains` (fabrikam-eu + fabrikam-eu.example)",
        "keep",
      );
      row.record("before, Bruno of the new domain", await signInMany(["bruno"]), ["bruno"], false, membershipOf);
      const changed = await changeOrganization(row, tenants.fabrikam, (current) => ({
        ...current,
        domains: [...current.domains, "fabrikam-eu.example"],
      }));
      await afterOrganizationChange(row, "after up", changed, "bruno");
    },
    stepTimeout,
  );

  it(
    "2c. an organization's default roles changed",
    async () => {
      const row = journal.row(
        "organization's `defaultRoles` member → admin, member (fabrikam-eu); Carla joins afterwards",
        "keep",
      );
      const { role } = world.made.template;
      const changed = await changeOrganization(row, tenants.fabrikam, (current, organization) => ({
        ...current,
        organization: { ...organization, defaultRoles: [role.admin, role.member] },
      }));
      // Members keep the roles they joined with; Carla, joining now, gets the new ones (membershipOf).
      await afterOrganizationChange(row, "after up; Carla's first sign-in", changed, "carla");
    },
    stepTimeout,
  );

  it(
    "3. a connection renamed without formerNames, then the documented recovery",
    async () => {
      const row = journal.row("rename without `formerNames` (contoso → contoso-emea), then the docs' recovery", "keep");
      const { formerNames: _none, ...contoso } = connectionOf(tenants.contoso);
      replaceConnection(tenants.contoso, { ...contoso, name: "contoso-emea" });
      await apply();
      const renamed = await change(row);
      await checkpoint(
        row,
        renamed.up?.ok ? "after up" : renamed.refused ? "after the refusal" : "after the failed up",
      );
      if (!renamed.up?.ok) {
        // docs/configuration.md (name) and troubleshooting.md (domain already routed): add the old name to formerNames.
        replaceConnection(tenants.contoso, { ...connectionOf(tenants.contoso), formerNames: ["contoso"] });
        await apply();
        const recovered = await change(row, "recovery");
        await checkpoint(row, "after the recovery");
        if (!recovered.up?.ok) {
          // Not in the docs: the rename undone, so that the next steps have a working stack.
          const { formerNames: _former, ...undone } = connectionOf(tenants.contoso);
          replaceConnection(tenants.contoso, { ...undone, name: "contoso" });
          await apply();
          const back = await up(row, "rename undone, up");
          row.note(`rename undone to go on: ${back.ok ? "converged" : "still failing"}`);
        }
      }
      const apps = stackAppsIn(world, tenants.contoso);
      if (apps.length !== 1) row.fail(`${apps.length} app registrations of the stack in contoso's tenant (orphans)`);
      finish(row);
    },
    stepTimeout,
  );

  it(
    "4. Entra secret rotation in an up whose connector update fails, a retry, then the fixing up; sign-ins sampled throughout",
    async () => {
      const row = journal.row(
        "Entra secret rotation in an `up` whose connector update fails, then a retry, then the fixing `up`",
        "keep",
      );
      const contoso = connectionOf(tenants.contoso);
      const output = await outputOf(contoso.name);
      if (!output) throw new Error("no contoso connector");
      // The first up past secretRotatesAt (180 days by default) rotates.
      engine.stack.workspace.envVars.CLOCK_SHIFT_MS = String(181 * dayMs);
      await preview(row);
      world.logto.faults.add({
        method: "PATCH",
        path: new RegExp(`^/api/sso-connectors/${output.connectorId}$`),
        status: 503,
        times: Infinity,
      });
      const samples: [PersonKey, HttpSignInOutcome][] = [];
      let sampling = true;
      const sampler = (async () => {
        while (sampling) {
          for (const key of ["adele", "bianca"] as const) samples.push([key, await signInAs(world, people[key])]);
          await new Promise((resolve) => setTimeout(resolve, 200));
        }
      })();
      try {
        const first = await up(row, "up (connector update failing)", true);
        await checkpoint(row, "after the failed up");
        const retry = await up(row, "retry (still failing)", true);
        await checkpoint(row, "after the failed retry");
        world.logto.faults.clear();
        await up(row, "fixing up");
        await checkpoint(row, "after the fixing up");
        if (first.ok || retry.ok) row.note("the connector fault did not fail the up");
      } finally {
        world.logto.faults.clear();
        sampling = false;
        await sampler;
      }
      row.record("sampled every 0.2 s during the three ups", samples, [], true, membershipOf);
      const app = world.entra.tenant(tenants.contoso).applicationByAppId(output.entraClientId);
      row.note(`contoso's app has ${app?.passwordCredentials.length ?? 0} password(s) after the fixing up`);
      finish(row);
    },
    stepTimeout,
  );

  it(
    "5. managed → provided, keeping the same app registration",
    async () => {
      const row = journal.row("managed → provided, keeping the same app registration (fabrikam-eu)", "keep");
      const fabrikam = connectionOf(tenants.fabrikam);
      const output = await outputOf(fabrikam.name);
      const app = output && world.entra.tenant(tenants.fabrikam).applicationByAppId(output.entraClientId);
      if (!output || !app) throw new Error("no fabrikam app registration");
      // README "Hand a managed app registration over to the customer", step 1: keep the registration, up.
      replaceConnection(tenants.fabrikam, { ...fabrikam, keepAppRegistration: true });
      await apply();
      const kept = await change(row, "keep");
      if (kept.refused) row.fail("keeping the registration was refused at preview");
      await checkpoint(row, "after keepAppRegistration");
      // Step 2: the customer's admin takes the registration over and makes the team a secret for it.
      const { secret } = await addPassword(await graphClient(world.entra, tenants.fabrikam), app.id);
      // Step 3: provided, the same client id, their secret, the managed-only settings removed.
      // (the journal's connections carry no credentials, adminConsent or rotation settings to remove)
      replaceConnection(tenants.fabrikam, {
        ...fabrikam,
        mode: "provided",
        clientId: output.entraClientId,
        clientSecret: secret,
      });
      await apply();
      if ((await change(row, "switch")).refused) {
        row.fail("the switch was refused at preview");
        replaceConnection(tenants.fabrikam, fabrikam);
        await apply();
      }
      await checkpoint(row, "after up");
      await customersFollowSteps(row);
      await checkpoint(row, "after the admin followed customerAdminSteps");
      if (!world.entra.tenant(tenants.fabrikam).applicationByAppId(output.entraClientId))
        row.note("the app registration was deleted");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "6. managed → provided, the customer registers their own app",
    async () => {
      const row = journal.row("managed → provided, the customer registers their own app (contoso)", "may-cut");
      const contoso = connectionOf(tenants.contoso);
      const output = await outputOf(contoso.name);
      const own = await customerRegistersApp(world, tenants.contoso, "Contoso's own Logto SSO app");
      // A careful admin registers the connector's callback URI before the switch.
      if (output) await customerAddsRedirectUri(world, tenants.contoso, own.appId, output.callbackUri);
      replaceConnection(tenants.contoso, {
        ...contoso,
        mode: "provided",
        clientId: own.appId,
        clientSecret: own.secret,
      });
      await changeThatMayCutLinks(row, contoso);
      await checkpoint(row, "after up");
      await customersFollowSteps(row);
      await checkpoint(row, "after the admin followed customerAdminSteps");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "7. a managed connection's tenantId corrected",
    async () => {
      const row = journal.row("managed connection's `tenantId` corrected (tailspin, made in the wrong tenant)", "keep");
      connections = [...connections, { name: "tailspin", tenantId: tenants.wrong, domains: ["tailspin.example"] }];
      await apply();
      await up(row, "up with the wrong tenant");
      await checkpoint(row, "made in the wrong tenant", ["tess"], ["tess"]);
      replaceConnection(tenants.wrong, { ...connectionOf(tenants.wrong), tenantId: tenants.tailspin });
      await apply();
      const corrected = await change(row, "correction");
      standing.add("tess");
      await checkpoint(row, "after the correction");
      if (!corrected.up?.ok) {
        // docs/configuration.md (tenantId): remove the connection (up), then add one for the new tenant.
        const tailspin = connectionOf(tenants.tailspin);
        const withoutTailspin = () => connections.filter((connection) => connection.name !== "tailspin");
        connections = withoutTailspin();
        await apply();
        const removed = await up(row, "docs' path: connection removed, up");
        if (!removed.ok) {
          // Not in the docs: the wrong tenant id back, so that the removal finds the objects where they are.
          row.note("not in the docs: the wrong tenantId put back, then the connection removed, to go on");
          connections = [...connections, { ...tailspin, tenantId: tenants.wrong }];
          await apply();
          await up(row, "wrong tenantId put back, up");
          connections = withoutTailspin();
          await apply();
          await up(row, "connection removed again, up");
        }
        connections = [...connections, tailspin];
        await apply();
        await up(row, "docs' path: added for the right tenant, up");
        await checkpoint(row, "after the docs' path");
      }
      const orphans = stackAppsIn(world, tenants.wrong);
      if (orphans.length > 0) row.fail(`${orphans.length} app registration(s) left in the wrong tenant`);
      finish(row);
    },
    stepTimeout,
  );

  it(
    "8. signInAudience single → multi-tenant",
    async () => {
      const row = journal.row("`signInAudience` single → multi-tenant (contoso)", "may-cut");
      const contoso = connectionOf(tenants.contoso);
      if (contoso.mode === "provided" && contoso.clientId) {
        // Provided: the customer's admin changes their app first (docs/configuration.md signInAudience).
        const app = world.entra.tenant(tenants.contoso).applicationByAppId(contoso.clientId);
        if (app) app.signInAudience = "AzureADMultipleOrgs";
      }
      replaceConnection(tenants.contoso, { ...contoso, signInAudience: "AzureADMultipleOrgs" });
      await changeThatMayCutLinks(row, contoso);
      await checkpoint(row, "after up");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "9. multi-tenant with trustUnverifiedEmail: an outsider whose mail is a customer's address",
    async () => {
      const row = journal.row(
        "multi-tenant + `trustUnverifiedEmail: true`; an outsider's `mail` is Bianca's address",
        "keep",
      );
      const contoso = connectionOf(tenants.contoso);
      replaceConnection(tenants.contoso, {
        ...contoso,
        signInAudience: "AzureADMultipleOrgs",
        trustUnverifiedEmail: true,
      });
      await apply();
      const planned = await preview(row);
      const applied = planned.ok ? await up(row) : undefined;
      if (applied?.ok) {
        const appId = (await outputOf(contoso.name))?.entraClientId;
        // The outsider's own admin consents to the multi-tenant app in the outsider's tenant.
        if (appId) grantConsent(world, tenants.outsider, appId);
        const checked = await checkpoint(row, "after up; the outsider tries", ["oscar"], ["oscar"]);
        const oscar = checked.signIns.find((signIn) => signIn.person === "oscar");
        const victim = [...journal.accounts].find(([, userId]) => userId === oscar?.userId)?.[0];
        if (victim) row.fail(`the outsider landed in ${victim}'s Logto account`);
        else row.note(`the outsider ${oscar?.userId ? "got a new user" : `was refused (${oscar?.problem})`}`);
      } else {
        row.note(planned.ok ? "up failed; not applied" : "refused at preview; not applied");
        await checkpoint(row, "after the refusal");
      }
      // Back to the connection as it was, for the last step.
      replaceConnection(tenants.contoso, contoso);
      await apply();
      if (applied) await up(row, "back as it was, up");
      finish(row);
    },
    stepTimeout,
  );

  it(
    "10. a connection removed, then added back",
    async () => {
      const row = journal.row("remove a connection, then add it back (northwind)", "may-cut");
      const northwind = connectionOf(tenants.northwind);
      connections = connections.filter((connection) => connection !== northwind);
      await apply();
      const removal = await change(row, "removal");
      row.saidSo = namesLinkLoss(removal.told);
      if (removal.refused) row.fail("the removal was refused");
      await checkpoint(row, "removed", ["nora"]);
      connections = [...connections, northwind];
      await apply();
      await change(row, "added back,");
      await customersFollowSteps(row);
      await checkpoint(row, "added back; the admin followed customerAdminSteps");
      finish(row);
    },
    stepTimeout,
  );
});
