/**
 * What removing an organization does, said before it happens (issue 19, item 3), under the real engine over the
 * Entra and Logto stand-ins: Pulumi calls no provider when it previews a delete, so the organization guard (a
 * record of the stack's organizations, registered after them) says it. Two connections with organizations:
 * contoso's deletes it on removal and has one member (Adele's first SSO sign-in), fabrikam's is kept (the
 * default). Removing contoso: the preview names its organization, its id and "1 member", and `up` deletes it.
 * Destroy (which runs no program, and whose preview calls no provider) says in its own log that fabrikam's is
 * kept, and keeps it.
 *
 * With LOGTO_E2E_* set (local/engine/target.ts) it runs over that real Logto with the Entra stand-in, which it
 * must trust (ENTRA_STANDIN_CA_DIR), as test/engine/organizations.test.ts does: names carry a per-run suffix,
 * and what the run made (the kept organization, Adele, the app, the template) is deleted at the end.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTraditionalApp,
  deleteTemplateNamed,
  logtoManagementApi,
  type LogtoCall,
} from "../../local/browser/chain";
import { httpSignInThrough } from "../../local/browser/experience-sign-in";
import type { EngineSandbox, Operation } from "../../local/engine/engine";
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
const real = realLogtoFromEnv(process.env);
const run = uniqueSuffix();
const domainSuffix = real ? run : undefined;
const [adele] = localUsers(domainSuffix);
const scope = `read:reports:${run}`;
const role = `member-${run}`;
const template = { scopes: [{ name: scope }], roles: [{ name: role, scopes: [scope] }] };
const names = { contoso: `Contoso ${run}`, fabrikam: `Fabrikam ${run}` };

let local: LocalStack;
let engine: EngineSandbox;
let api: LogtoCall;
let appId: string | undefined;
let adeleUserId: string | undefined;
const organizationIds: { contoso?: string; fabrikam?: string } = {};

async function applyConnections(which: Array<"contoso" | "fabrikam">): Promise<void> {
  const organizations = {
    contoso: { name: names.contoso, defaultRoles: [role], deleteOrganizationOnRemoval: true },
    fabrikam: { name: names.fabrikam, defaultRoles: [role] },
  };
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(local.world, {
      connections: which.map((name) =>
        localConnection(name, localTenants[name], {
          domains: [localDomain(name, domainSuffix)],
          organization: organizations[name],
        }),
      ),
      settings: { "logto-entra-sso:organizationTemplate": template },
    }),
  );
}

/** What the providers said during an operation (the engine's diagnostics). */
function said(operation: Operation<unknown>): string {
  return operation.events.flatMap((event) => event.diagnosticEvent?.message ?? []).join("\n");
}

beforeAll(async () => {
  local = await openLocalStack("orgrm", { standIns: { users: [adele] } });
  ({ engine } = local);
  api = await logtoManagementApi(local.world.logto);
  await applyConnections(["contoso", "fabrikam"]);
}, 30 * 60_000);

/** A real Logto outlives the run: what the stack kept and the run made besides goes. */
async function deleteWhatTheRunMade(): Promise<void> {
  const after = await logtoManagementApi(local.world.logto);
  for (const id of Object.values(organizationIds)) await after("DELETE", `/api/organizations/${id}`);
  if (adeleUserId) await after("DELETE", `/api/users/${adeleUserId}`);
  if (appId) await after("DELETE", `/api/applications/${appId}`);
  await deleteTemplateNamed(after, [role, scope]);
}

afterAll(async () => {
  await local?.close();
  if (real && local) await deleteWhatTheRunMade();
}, 10 * 60_000);

describe.sequential("engine: removing an organization is said before it happens", () => {
  it(
    "1. up makes both organizations; Adele's first SSO sign-in makes her contoso's one member",
    async () => {
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const connections = result.outputs.connections.value as Record<string, { organization: { id: string } }>;
      organizationIds.contoso = connections.contoso.organization.id;
      organizationIds.fabrikam = connections.fabrikam.organization.id;
      const app = await createTraditionalApp(api, `${engine.stackName} app`, [appUrl]);
      appId = app.id;
      const outcome = await httpSignInThrough(local.world.logto)(
        {
          logtoUrl: local.world.logto.url,
          clientId: app.id,
          clientSecret: app.secret,
          redirectUri: `${appUrl}/callback`,
          scope: "openid profile email",
        },
        { email: adele.email, password: adele.password },
        local.world.entra.caPem,
      );
      adeleUserId = outcome.userId;
      expect(outcome.problem).toBeUndefined();
      const members = (await api("GET", `/api/organizations/${organizationIds.contoso}/users`)).body;
      expect((members as Array<{ id: string }>).map((member) => member.id)).toEqual([adeleUserId]);
    },
    stepTimeout,
  );

  it(
    "2. removing contoso: the preview names its organization, its id and its 1 member; up deletes it",
    async () => {
      await applyConnections(["fabrikam"]);
      const preview = await engine.preview();
      const statement = `organization "${names.contoso}" (id ${organizationIds.contoso}) of connection contoso leaves the stack and is deleted in Logto`;
      expect(said(preview)).toContain(statement);
      expect(said(preview)).toContain(
        "it has 1 member, whose memberships and organization roles Logto deletes with it (their user accounts stay",
      );
      expect(said(preview)).not.toContain(names.fabrikam);
      // The preview deleted nothing.
      expect((await api("GET", `/api/organizations/${organizationIds.contoso}`)).status).toBe(200);

      const up = await engine.up();
      expect(up.result.summary.result).toBe("succeeded");
      expect(said(up)).toContain(statement);
      // Said once: the organization's own delete, later in the same run, does not say it again.
      expect(said(up)).not.toContain(`deleting organization "${names.contoso}"`);
      expect((await api("GET", `/api/organizations/${organizationIds.contoso}`)).status).toBe(404);
      // Adele's account stays.
      expect((await api("GET", `/api/users/${adeleUserId}`)).status).toBe(200);
      expect((await api("GET", `/api/organizations/${organizationIds.fabrikam}`)).status).toBe(200);
      delete organizationIds.contoso;
    },
    stepTimeout,
  );

  it(
    "3. destroy says in its own log that fabrikam's organization is kept with its members, and keeps it",
    async () => {
      const destroyed = await engine.destroy();
      expect(destroyed.result.summary.result).toBe("succeeded");
      expect(said(destroyed)).toContain(
        `organization "${names.fabrikam}" (id ${organizationIds.fabrikam}) of connection fabrikam leaves the stack and is kept in Logto with its 0 members and their organization roles (deleteOrganizationOnRemoval was off at the last pulumi up)`,
      );
      expect((await api("GET", `/api/organizations/${organizationIds.fabrikam}`)).status).toBe(200);
      if (local.world.logto.standIn) delete organizationIds.fabrikam;
    },
    stepTimeout,
  );
});
