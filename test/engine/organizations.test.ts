/**
 * B2B onboarding under the real engine (issue 19): the program (infra/) over the Entra and Logto stand-ins with
 * an organization template and a connection with an `organization`. One `pulumi up` makes the connection, the
 * template and the organization joined through the connector; Adele's first SSO sign-in makes her a member with
 * the default role, as the ID token's organization claims say; a rename and a role change keep the organization
 * and its member; removing the entry's `organization` removes the JIT link and keeps the organization and its
 * member.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTraditionalApp, logtoManagementApi, type LogtoCall } from "../../local/browser/chain";
import { signInOverHttp } from "../../local/browser/http-sign-in";
import type { EngineSandbox } from "../../local/engine/engine";
import {
  applyLocalStackConfig,
  localConnection,
  localStackConfig,
  localTenants,
  localUsers,
  openLocalStack,
  standInsOf,
  type LocalStack,
} from "../../local/stack";

const stepTimeout = 10 * 60_000;
const appUrl = "http://127.0.0.1:9";
const organizationScopes = "urn:logto:scope:organizations urn:logto:scope:organization_roles";
const [adele] = localUsers();
const template = {
  scopes: [{ name: "manage:members" }, { name: "read:reports" }],
  roles: [
    { name: "admin", scopes: ["manage:members", "read:reports"] },
    { name: "member", scopes: ["read:reports"] },
  ],
};

let local: LocalStack;
let engine: EngineSandbox;
let api: LogtoCall;
let organizationId: string;
let adeleUserId: string | undefined;

async function applyConnection(organization: { [key: string]: unknown } | undefined): Promise<void> {
  await applyLocalStackConfig(
    engine.stack,
    localStackConfig(local.world, {
      connections: [localConnection("contoso", localTenants.contoso, organization ? { organization } : {})],
      settings: { "logto-entra-sso:organizationTemplate": template },
    }),
  );
}

beforeAll(async () => {
  local = await openLocalStack("orgs", { standIns: { users: [adele] } });
  ({ engine } = local);
  // Sign-in through Logto's pages is the stand-in's (a real Logto's experience needs the browser driver).
  standInsOf(local.world);
  api = await logtoManagementApi(local.world.logto);
  await applyConnection({ name: "Contoso", defaultRoles: ["member"] });
}, 30 * 60_000);

afterAll(async () => {
  await local?.close();
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
      expect(connections.contoso.organization).toEqual({ id: expect.any(String), name: "Contoso" });
      organizationId = connections.contoso.organization.id;
      const jitConnectors = (await api("GET", `/api/organizations/${organizationId}/jit/sso-connectors`)).body;
      expect((jitConnectors as Array<{ id: string }>).map((row) => row.id)).toEqual([connections.contoso.connectorId]);
      const jitRoles = (await api("GET", `/api/organizations/${organizationId}/jit/roles`)).body;
      expect((jitRoles as Array<{ name: string }>).map((row) => row.name)).toEqual(["member"]);
      // Read back from Logto, everything is as declared: no change planned.
      expect((await engine.preview({ refresh: true })).changes).toEqual([]);
    },
    stepTimeout,
  );

  it(
    "2. Adele's first SSO sign-in makes her a member with the default role, as her ID token says",
    async () => {
      const app = await createTraditionalApp(api, `${engine.stackName} app`, [appUrl]);
      const outcome = await signInOverHttp(
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
      expect(outcome.problem).toBeUndefined();
      adeleUserId = outcome.userId;
      expect(outcome.idTokenClaims).toMatchObject({
        organizations: [organizationId],
        organization_roles: [`${organizationId}:member`],
      });
    },
    stepTimeout,
  );

  it(
    "3. a rename and a role change are made in place: the same organization, its member kept",
    async () => {
      await applyConnection({ name: "Contoso Ltd", defaultRoles: ["admin", "member"] });
      const { result } = await engine.up();
      expect(result.summary.result).toBe("succeeded");
      const connections = result.outputs.connections.value as { contoso: { organization: { id: string } } };
      expect(connections.contoso.organization.id).toBe(organizationId);
      expect((await api("GET", `/api/organizations/${organizationId}`)).body).toMatchObject({ name: "Contoso Ltd" });
      const jitRoles = (await api("GET", `/api/organizations/${organizationId}/jit/roles`)).body;
      expect((jitRoles as Array<{ name: string }>).map((row) => row.name).sort()).toEqual(["admin", "member"]);
      const members = (await api("GET", `/api/organizations/${organizationId}/users`)).body as Array<{ id: string }>;
      expect(members.map((m) => m.id)).toEqual([adeleUserId]);
    },
    stepTimeout,
  );

  it(
    "4. removing the entry's organization removes the JIT link and keeps the organization with its member",
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
      expect(members.map((m) => [m.id, m.organizationRoles.map((r) => r.name)])).toEqual([[adeleUserId, ["member"]]]);
    },
    stepTimeout,
  );
});
