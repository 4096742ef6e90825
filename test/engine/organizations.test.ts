/**
 * B2B onboarding under the real engine (issue 19): the program (infra/) over the Entra and Logto stand-ins with
 * an organization template and a connection with an `organization`. One `pulumi up` makes the connection, the
 * template and the organization joined through the connector; Adele's first SSO sign-in makes her a member with
 * the default role, as the ID token's organization claims say; a rename and a role change keep the organization
 * and its member; JIT settings and a role's scopes changed in Logto as the console does are shown by
 * `preview --refresh` and repaired by `up --refresh`; removing the entry's `organization` removes the JIT link
 * and keeps the organization and its member; an organization made outside the stack is adopted by id and only unlinked
 * when its entry goes; a destroy keeps the template roles (and the scopes they grant) that anything left in the
 * tenant uses and deletes the others.
 *
 * With LOGTO_E2E_* set (local/engine/target.ts) it runs over that real Logto with the Entra stand-in, which it
 * must trust (ENTRA_STANDIN_CA_DIR): Adele signs in through Logto's experience API as its sign-in app does
 * (local/browser/experience-sign-in.ts), Logto is read through the Management API either way, and the tenant
 * being shared, the run's domain, organization, template roles and scopes carry a per-run suffix (the template
 * is tenant-wide: others' roles and scopes are never touched); what the run made is deleted at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTraditionalApp,
  deleteTemplateNamed,
  logtoManagementApi,
  type LogtoCall,
} from "../../local/browser/chain";
import { httpSignInThrough } from "../../local/browser/experience-sign-in";
import type { EngineSandbox } from "../../local/engine/engine";
import { realLogtoFromEnv, uniqueSuffix } from "../../local/engine/target";
import {
  applyLocalStackConfig,
  localConnection,
  localDomain,
  localStackConfig,
  localTenants,
  localUsers,
  openLocalStack,
  type LocalStack,
} from "../../local/stack";

const stepTimeout = 10 * 60_000;
const appUrl = "http://127.0.0.1:9";
const organizationScopes = "urn:logto:scope:organizations urn:logto:scope:organization_roles";
const real = realLogtoFromEnv(process.env);
// A shared real Logto: this run's domain, organization and template names are its own.
const run = uniqueSuffix();
const domainSuffix = real ? run : undefined;
const [adele] = localUsers(domainSuffix);
const scope = {
  manageMembers: `manage:members:${run}`,
  readReports: `read:reports:${run}`,
  readAudit: `read:audit:${run}`,
};
const role = { admin: `admin-${run}`, member: `member-${run}`, auditor: `auditor-${run}` };
const template = {
  scopes: [{ name: scope.manageMembers }, { name: scope.readReports }, { name: scope.readAudit }],
  roles: [
    { name: role.admin, scopes: [scope.manageMembers, scope.readReports] },
    { name: role.member, scopes: [scope.readReports] },
    { name: role.auditor, scopes: [scope.readAudit] },
  ],
};
const organizationName = { first: `Contoso ${run}`, renamed: `Contoso Ltd ${run}` };

let local: LocalStack;
let engine: EngineSandbox;
let api: LogtoCall;
let appId: string | undefined;
let organizationId: string | undefined;
let adeleUserId: string | undefined;
let connectorId: string | undefined;
/** Organizations the run made outside the stack, as another stack or the console would. */
const outsideOrganizationIds: string[] = [];

/** This run's template objects in Logto, name → id (the tenant may be shared: only names with the run's suffix). */
async function templateIds(kind: "organization-roles" | "organization-scopes"): Promise<Map<string, string>> {
  const rows = (await api("GET", `/api/${kind}?q=${encodeURIComponent(run)}&page_size=100`)).body as Array<{
    id: string;
    name: string;
  }>;
  return new Map(rows.filter((row) => row.name.endsWith(run)).map((row) => [row.name, row.id]));
}

const namesOf = (rows: unknown) => (rows as Array<{ name: string }>).map((row) => row.name).sort();
const idsOf = (rows: unknown) => (rows as Array<{ id: string }>).map((row) => row.id);

async function organizationMadeOutside(name: string): Promise<string> {
  const { id } = (await api("POST", "/api/organizations", { name })).body as { id: string };
  outsideOrganizationIds.push(id);
  return id;
}

/** The connection's email domains as configured now (step 3b adds one). */
const domains = [localDomain("contoso", domainSuffix)];

async function applyConnection(organization: { [key: string]: unknown } | undefined): Promise<void> {
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(local.world, {
      connections: [
        localConnection("contoso", localTenants.contoso, organization ? { domains, organization } : { domains }),
      ],
      settings: { "logto-entra-sso:organizationTemplate": template },
    }),
  );
}

beforeAll(async () => {
  local = await openLocalStack("orgs", { standIns: { users: [adele] } });
  ({ engine } = local);
  api = await logtoManagementApi(local.world.logto);
  await applyConnection({ name: organizationName.first, defaultRoles: [role.member] });
}, 30 * 60_000);

/**
 * A real Logto outlives the run: after the stack is destroyed (its connector, JIT link and the template roles
 * and scopes it made), what else the run made goes: the organization it keeps on removal, Adele, the app, and
 * any of this run's uniquely named roles and scopes a failed destroy left.
 */
async function deleteWhatTheRunMade(): Promise<void> {
  const after = await logtoManagementApi(local.world.logto);
  for (const id of [organizationId, ...outsideOrganizationIds])
    if (id) await after("DELETE", `/api/organizations/${id}`);
  if (adeleUserId) await after("DELETE", `/api/users/${adeleUserId}`);
  if (appId) await after("DELETE", `/api/applications/${appId}`);
  await deleteTemplateNamed(after, [...Object.values(role), ...Object.values(scope)]);
}

afterAll(async () => {
  await local?.close();
  // The stand-in closed with the local world, and everything in it.
  if (real && local) await deleteWhatTheRunMade();
}, 10 * 60_000);

describe.sequential("engine: a connection with an organization", () => {
  it(
    "1. up makes the template, the organization and its JIT link through the connection's connector",
    async () => {
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const connections = result.outputs.connections.value as {
        contoso: { connectorId: string; organization: { id: string; name: string } };
      };
      expect(connections.contoso.organization).toEqual({ id: expect.any(String), name: organizationName.first });
      organizationId = connections.contoso.organization.id;
      connectorId = connections.contoso.connectorId;
      const jitConnectors = (await api("GET", `/api/organizations/${organizationId}/jit/sso-connectors`)).body;
      expect((jitConnectors as Array<{ id: string }>).map((row) => row.id)).toEqual([connections.contoso.connectorId]);
      const jitRoles = (await api("GET", `/api/organizations/${organizationId}/jit/roles`)).body;
      expect((jitRoles as Array<{ name: string }>).map((row) => row.name)).toEqual([role.member]);
      // Read back from Logto, everything is as declared: no change planned.
      expect((await engine.preview({ refresh: true })).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "2. Adele's first SSO sign-in makes her a member with the default role, as her ID token says",
    async () => {
      const app = await createTraditionalApp(api, `${engine.stackName} app`, [appUrl]);
      appId = app.id;
      const outcome = await httpSignInThrough(local.world.logto)(
        {
          logtoUrl: local.world.logto.url,
          clientId: app.id,
          clientSecret: app.secret,
          redirectUri: `${appUrl}/callback`,
          scope: `openid profile email ${organizationScopes}`,
        },
        { email: adele.email, password: adele.password },
        local.world.entra.caPem,
      );
      adeleUserId = outcome.userId;
      expect(outcome.problem).toBeUndefined();
      console.info(
        `ID token organization claims: ${JSON.stringify({ organizations: outcome.idTokenClaims?.organizations, organization_roles: outcome.idTokenClaims?.organization_roles })}`,
      );
      expect(outcome.idTokenClaims).toMatchObject({
        organizations: [organizationId],
        organization_roles: [`${organizationId}:${role.member}`],
      });
    },
    stepTimeout,
  );

  it(
    "3. a rename and a role change are made in place: the same organization, its member kept",
    async () => {
      await applyConnection({ name: organizationName.renamed, defaultRoles: [role.admin, role.member] });
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const connections = result.outputs.connections.value as { contoso: { organization: { id: string } } };
      expect(connections.contoso.organization.id).toBe(organizationId);
      expect((await api("GET", `/api/organizations/${organizationId}`)).body).toMatchObject({
        name: organizationName.renamed,
      });
      const jitRoles = (await api("GET", `/api/organizations/${organizationId}/jit/roles`)).body;
      expect((jitRoles as Array<{ name: string }>).map((row) => row.name).sort()).toEqual(
        [role.admin, role.member].sort(),
      );
      const members = (await api("GET", `/api/organizations/${organizationId}/users`)).body as Array<{ id: string }>;
      expect(members.map((m) => m.id)).toEqual([adeleUserId]);
    },
    stepTimeout,
  );

  it(
    "3b. a change of the connector alone (a domain added) previews exactly what up does: no JIT link change",
    async () => {
      domains.push(localDomain("contoso-eu", domainSuffix));
      await applyConnection({ name: organizationName.renamed, defaultRoles: [role.admin, role.member] });
      const planned = (await engine.preview()).changes.map((step) => `${step.op} ${step.name}`).sort();
      const { result, changes } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const done = changes.map((step) => `${step.op} ${step.name}`).sort();
      expect(planned).toEqual(done);
      expect(done.some((step) => step.endsWith("-sso-connector"))).toBe(true);
      expect(done.filter((step) => step.includes("-organization"))).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "4. JIT settings and a role's scopes changed in the console show in preview --refresh; up --refresh repairs them",
    async () => {
      const roles = await templateIds("organization-roles");
      const scopes = await templateIds("organization-scopes");
      // What the console's organization page and role page send.
      await api("PUT", `/api/organizations/${organizationId}/jit/roles`, {
        organizationRoleIds: [roles.get(role.member)],
      });
      await api("PUT", `/api/organizations/${organizationId}/jit/sso-connectors`, { ssoConnectorIds: [] });
      await api("PUT", `/api/organization-roles/${roles.get(role.member)}/scopes`, {
        organizationScopeIds: [scopes.get(scope.manageMembers), scopes.get(scope.readReports)],
      });

      const drift = await engine.preview({ refresh: true });
      expect(drift.changes.map((step) => [step.op, step.name]).sort()).toEqual([
        ["update", "contoso-organization-jit"],
        ["update", `organization-role-${role.member}`],
      ]);

      // `up --refresh` reads what is live first, so it puts the declared values back (a plain `up` compares
      // with the state, which still holds them).
      const { result } = await engine.up({ refresh: true });
      expect(result.summary.result).toBe("succeeded");
      expect(namesOf((await api("GET", `/api/organizations/${organizationId}/jit/roles`)).body)).toEqual(
        [role.admin, role.member].sort(),
      );
      expect(idsOf((await api("GET", `/api/organizations/${organizationId}/jit/sso-connectors`)).body)).toEqual([
        connectorId,
      ]);
      expect(namesOf((await api("GET", `/api/organization-roles/${roles.get(role.member)}/scopes`)).body)).toEqual([
        scope.readReports,
      ]);
      expect((await engine.preview({ refresh: true })).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "5. removing the entry's organization removes the JIT link and keeps the organization with its member",
    async () => {
      await applyConnection(undefined);
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      expect((await api("GET", `/api/organizations/${organizationId}`)).status).toBe(200);
      expect((await api("GET", `/api/organizations/${organizationId}/jit/sso-connectors`)).body).toEqual([]);
      const members = (await api("GET", `/api/organizations/${organizationId}/users`)).body as Array<{
        id: string;
        organizationRoles: Array<{ name: string }>;
      }>;
      expect(members.map((m) => [m.id, m.organizationRoles.map((r) => r.name)])).toEqual([
        [adeleUserId, [role.member]],
      ]);
    },
    stepTimeout,
  );

  it(
    "6. an organization made outside the stack is adopted by id, linked, and only unlinked when its entry goes",
    async () => {
      const name = `Fabrikam ${run}`;
      const outside = await organizationMadeOutside(name);
      await api("POST", `/api/organizations/${outside}/users`, { userIds: [adeleUserId] });

      await applyConnection({ name, adoptOrganizationId: outside, defaultRoles: [role.member] });
      const adopted = await engine.up();
      expect(adopted.result.summary.result).toBe("succeeded");
      const connections = adopted.result.outputs.connections.value as { contoso: { organization: { id: string } } };
      expect(connections.contoso.organization.id).toBe(outside);
      expect(idsOf((await api("GET", `/api/organizations/${outside}/jit/sso-connectors`)).body)).toEqual([connectorId]);
      expect(namesOf((await api("GET", `/api/organizations/${outside}/jit/roles`)).body)).toEqual([role.member]);

      await applyConnection(undefined);
      const unlinked = await engine.up();
      expect(unlinked.result.summary.result).toBe("succeeded");
      expect((await api("GET", `/api/organizations/${outside}`)).body).toMatchObject({ id: outside, name });
      expect((await api("GET", `/api/organizations/${outside}/jit/sso-connectors`)).body).toEqual([]);
      expect((await api("GET", `/api/organizations/${outside}/jit/roles`)).body).toEqual([]);
      expect(idsOf((await api("GET", `/api/organizations/${outside}/users`)).body)).toEqual([adeleUserId]);
    },
    stepTimeout,
  );

  it(
    "7. destroy keeps the template roles and scopes the tenant still uses and deletes the others",
    async () => {
      // The stack's own organization, deleted on removal, has the otherwise unused role as JIT default: the
      // destroy deletes it before the roles, so it does not keep the role alive.
      await applyConnection({
        name: `Tailspin ${run}`,
        defaultRoles: [role.auditor],
        deleteOrganizationOnRemoval: true,
      });
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const own = (result.outputs.connections.value as { contoso: { organization: { id: string } } }).contoso;
      const roles = await templateIds("organization-roles");
      // Another user of the tenant has the stack's admin role as JIT default role; Adele holds member in the
      // organization the stack kept (step 5).
      const northwind = await organizationMadeOutside(`Northwind ${run}`);
      await api("PUT", `/api/organizations/${northwind}/jit/roles`, { organizationRoleIds: [roles.get(role.admin)] });

      const destroyed = await engine.destroy();
      expect(destroyed.result.summary.result).toBe("succeeded");
      expect((await api("GET", `/api/organizations/${own.organization.id}`)).status).toBe(404);
      expect([...(await templateIds("organization-roles")).keys()].sort()).toEqual([role.admin, role.member].sort());
      // The scopes the kept roles grant stay; the auditor's went with it.
      expect([...(await templateIds("organization-scopes")).keys()].sort()).toEqual(
        [scope.manageMembers, scope.readReports].sort(),
      );
      expect(namesOf((await api("GET", `/api/organizations/${northwind}/jit/roles`)).body)).toEqual([role.admin]);
      const members = (await api("GET", `/api/organizations/${organizationId}/users`)).body as Array<{
        organizationRoles: Array<{ name: string }>;
      }>;
      expect(members.map((member) => member.organizationRoles.map((r) => r.name))).toEqual([[role.member]]);
      const notices = destroyed.events.flatMap((event) => event.diagnosticEvent?.message ?? []).join("\n");
      expect(notices).toContain(
        `organization role "${role.admin}" (id ${roles.get(role.admin)}) was made by this stack but is in use in the tenant (organization "Northwind ${run}" (id ${northwind}): its JIT default role)`,
      );
      expect(notices).toContain(
        `(organization "${organizationName.renamed}" (id ${organizationId}): held by 1 member)`,
      );
      expect(notices).toMatch(new RegExp(`deleting organization role "${role.auditor}" .*made by this stack`));
    },
    stepTimeout,
  );
});
