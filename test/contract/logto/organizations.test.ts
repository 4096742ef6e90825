/**
 * Organizations in the Logto stand-in, beyond the recorded exchanges (test/logto-contract/, replayed by
 * test/contract/recordings.test.ts): what deleting things removes, PUT replacing whole sets, and just-in-time provisioning
 * at an enterprise SSO sign-in with the `organizations` / `organization_roles` claims it leads to.
 */
import { readFileSync } from "node:fs";
import path from "node:path";

import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";

import {
  connectEntraApp,
  createTraditionalApp,
  enableSingleSignOn,
  logtoManagementApi,
  registerEntraApp,
  type LogtoCall,
  type TraditionalApp,
} from "../../../local/browser/chain";
import { signInOverHttp, type RelyingParty } from "../../../local/browser/http-sign-in";
import { startEntraStandIn, type EntraStandIn } from "../../../local/standins/entra";
import { startLogtoStandIn, type LogtoStandIn } from "../../../local/standins/logto";
import { userRow } from "../../../local/standins/logto/state";

const tenantId = "c0a1b2c3-0000-4000-8000-0000000000a9";
const appUrl = "http://127.0.0.1:9";
const adele = {
  userPrincipalName: "adele@contoso.example",
  password: "adele-pw",
  displayName: "Adele Vance",
  mail: "adele@contoso.example",
};
const organizationScopes = "urn:logto:scope:organizations urn:logto:scope:organization_roles";

const idOf = (body: unknown): string => String((body as { id: unknown }).id);

/** The real Logto's sign-in with JIT (test/logto-contract/sign-in/sso-jit-sign-in.json). */
const realSignIn = JSON.parse(
  readFileSync(path.resolve(__dirname, "../../logto-contract/sign-in/sso-jit-sign-in.json"), "utf8"),
) as { steps: Array<{ what: string; data: Record<string, unknown> }> };
const organizationClaimNames = (claims: Record<string, unknown> = {}) =>
  Object.keys(claims)
    .filter((name) => name.startsWith("organization") && claims[name] !== undefined)
    .sort();
const realClaimNames = (what: string) =>
  organizationClaimNames(realSignIn.steps.find((step) => step.what === `first: ${what}`)?.data);

describe("Logto stand-in organizations", () => {
  let entra: EntraStandIn;
  let logto: LogtoStandIn;
  let api: LogtoCall;
  let connectorId: string;
  let webApp: TraditionalApp;

  /** A role of the template with its scopes, made through the Management API. */
  async function role(name: string, scopeNames: string[]): Promise<string> {
    const scopeIds: string[] = [];
    for (const scopeName of scopeNames) {
      const existing = logto.state.organizations.scopeByName(scopeName);
      scopeIds.push(existing?.id ?? idOf((await api("POST", "/api/organization-scopes", { name: scopeName })).body));
    }
    const answer = await api("POST", "/api/organization-roles", { name, organizationScopeIds: scopeIds });
    expect(answer.status).toBe(201);
    return idOf(answer.body);
  }

  async function organization(name: string): Promise<string> {
    const answer = await api("POST", "/api/organizations", { name });
    expect(answer.status).toBe(201);
    return idOf(answer.body);
  }

  async function jit(organizationId: string, ssoConnectorIds: string[], organizationRoleIds: string[]) {
    const base = `/api/organizations/${organizationId}/jit`;
    expect((await api("PUT", `${base}/sso-connectors`, { ssoConnectorIds })).status).toBe(204);
    expect((await api("PUT", `${base}/roles`, { organizationRoleIds })).status).toBe(204);
  }

  const relyingParty = (scope: string): RelyingParty => ({
    logtoUrl: logto.url,
    clientId: webApp.id,
    clientSecret: webApp.secret,
    redirectUri: `${appUrl}/callback`,
    scope,
  });
  const signIn = (scope = `openid profile ${organizationScopes}`) =>
    signInOverHttp(relyingParty(scope), { email: adele.userPrincipalName, password: adele.password }, entra.caPem);

  async function userinfo(accessToken: string | undefined): Promise<Record<string, unknown>> {
    const answer = await fetch(`${logto.url}/oidc/me`, { headers: { authorization: `Bearer ${accessToken}` } });
    expect(answer.status).toBe(200);
    return (await answer.json()) as Record<string, unknown>;
  }

  const organizationsOf = async (userId: string) =>
    (await api("GET", `/api/users/${userId}/organizations`)).body as Array<{
      id: string;
      organizationRoles: Array<{ name: string }>;
    }>;

  beforeAll(async () => {
    entra = await startEntraStandIn({ tenants: [tenantId], users: { [tenantId]: [adele] } });
    logto = await startLogtoStandIn({ trustedCaPem: entra.caPem });
  });
  afterAll(async () => {
    await logto.close();
    await entra.close();
  });
  beforeEach(async () => {
    logto.reset();
    entra.reset();
    api = await logtoManagementApi(logto);
    const entraApp = await registerEntraApp(entra, tenantId, "Logto SSO");
    connectorId = await connectEntraApp(api, logto.url, {
      name: "contoso",
      app: entraApp,
      issuer: entra.issuerFor(tenantId),
      domains: ["contoso.example"],
    });
    webApp = await createTraditionalApp(api, "Web app", [appUrl]);
    await enableSingleSignOn(api, true);
  });

  describe("just-in-time provisioning at an enterprise SSO sign-in", () => {
    it("makes a first-time SSO user a member of the connector's organization with its JIT roles, and says so in the ID token and userinfo", async () => {
      const member = await role("member", ["read:reports"]);
      await role("admin", ["read:reports", "manage:members"]);
      const contoso = await organization("Contoso");
      const fabrikam = await organization("Fabrikam");
      await jit(contoso, [connectorId], [member]);

      const outcome = await signIn();
      expect(outcome.userId, outcome.problem).toBeDefined();
      const userId = String(outcome.userId);
      expect(await organizationsOf(userId)).toEqual([
        expect.objectContaining({ id: contoso, name: "Contoso", organizationRoles: [{ id: member, name: "member" }] }),
      ]);
      expect(logto.state.organizations.members.where({ organizationId: fabrikam })).toEqual([]);

      // Logto's default ID token config carries `organizations` and `organization_roles`, not `organization_data`.
      expect(outcome.idTokenClaims).toMatchObject({
        organizations: [contoso],
        organization_roles: [`${contoso}:member`],
      });
      expect(outcome.idTokenClaims).not.toHaveProperty("organization_data");
      // The same organization claims as the real Logto's ID token and userinfo of the recorded sign-in.
      expect(organizationClaimNames(outcome.idTokenClaims)).toEqual(realClaimNames("ID token organization claims"));
      expect(organizationClaimNames(await userinfo(outcome.accessToken))).toEqual(realClaimNames("userinfo"));
      expect(await userinfo(outcome.accessToken)).toMatchObject({
        sub: userId,
        organizations: [contoso],
        organization_roles: [`${contoso}:member`],
        organization_data: [{ id: contoso, name: "Contoso", description: null }],
      });
      const scopes = await api("GET", `/api/organizations/${contoso}/users/${userId}/scopes`);
      expect((scopes.body as Array<{ name: string }>).map(({ name }) => name)).toEqual(["read:reports"]);
    });

    it("gives every JIT role, in every organization that lists the connector", async () => {
      const member = await role("member", []);
      const admin = await role("admin", []);
      const contoso = await organization("Contoso");
      const contosoLabs = await organization("Contoso Labs");
      await jit(contoso, [connectorId], [member, admin]);
      await jit(contosoLabs, [connectorId], []);

      const outcome = await signIn();
      const claims = outcome.idTokenClaims ?? {};
      expect([...(claims.organizations as string[])].sort()).toEqual([contoso, contosoLabs].sort());
      // Roles by name within an organization; a JIT organization without roles gives a membership only.
      expect(claims.organization_roles).toEqual([`${contoso}:admin`, `${contoso}:member`]);
    });

    it("provisions nothing for a returning SSO user: JIT settings changed after the first sign-in do not apply", async () => {
      const member = await role("member", []);
      const admin = await role("admin", []);
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], [member]);
      const first = await signIn();
      const userId = String(first.userId);

      const later = await organization("Later");
      await jit(later, [connectorId], [admin]);
      await jit(contoso, [connectorId], [admin]);
      const second = await signIn();

      expect(second.userId).toBe(userId);
      expect(second.idTokenClaims).toMatchObject({
        organizations: [contoso],
        organization_roles: [`${contoso}:member`],
      });
    });

    it("provisions an existing user the sign-in links by email (trusted email), as Logto does when it adds the identity", async () => {
      await api("PATCH", `/api/sso-connectors/${connectorId}`, {
        config: { ...logto.state.ssoConnectors.get(connectorId)?.config, trustUnverifiedEmail: true },
      });
      const existing = userRow({
        id: "existinguser",
        username: "adele",
        primaryEmail: "Adele@Contoso.example",
        name: "Adele",
        createdAt: Date.now(),
      });
      logto.state.users.set(existing.id, existing);
      const member = await role("member", []);
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], [member]);

      const outcome = await signIn();
      expect(outcome.userId).toBe(existing.id);
      expect((await organizationsOf(existing.id)).map(({ id }) => id)).toEqual([contoso]);
    });

    it("accepts Logto's reserved organizations resource, which the Logto SDKs ask for with the organizations scope", async () => {
      const answer = await fetch(
        `${logto.url}/oidc/auth?${new URLSearchParams({
          client_id: webApp.id,
          redirect_uri: `${appUrl}/callback`,
          response_type: "code",
          scope: `openid offline_access profile ${organizationScopes}`,
          resource: "urn:logto:resource:organizations",
          state: "s",
        })}`,
        { redirect: "manual" },
      );
      expect(answer.status, await answer.text()).toBe(303);
      expect(new URL(String(answer.headers.get("location")), logto.url).pathname).toBe("/sign-in");
      const other = await fetch(
        `${logto.url}/oidc/auth?${new URLSearchParams({ client_id: webApp.id, redirect_uri: `${appUrl}/callback`, response_type: "code", scope: "openid", resource: "https://api.example/", state: "s" })}`,
        { redirect: "manual" },
      );
      // Any other resource goes back to the app as `invalid_target`, as in a tenant without API resources.
      expect(new URL(String(other.headers.get("location"))).searchParams.get("error")).toBe("invalid_target");
    });

    it("leaves the organization claims out without the organization scopes", async () => {
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], []);
      const outcome = await signIn("openid profile");
      expect(outcome.userId, outcome.problem).toBeDefined();
      expect(outcome.idTokenClaims).not.toHaveProperty("organizations");
      expect(outcome.idTokenClaims).not.toHaveProperty("organization_roles");
      expect(await userinfo(outcome.accessToken)).not.toHaveProperty("organizations");
      // The membership is there all the same: provisioning does not depend on what the app asked for.
      expect((await organizationsOf(String(outcome.userId))).map(({ id }) => id)).toEqual([contoso]);
    });
  });

  describe("what deleting removes", () => {
    it("deleting an organization removes its memberships and JIT settings; the users stay", async () => {
      const member = await role("member", []);
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], [member]);
      await api("PUT", `/api/organizations/${contoso}/jit/email-domains`, { emailDomains: ["contoso.example"] });
      const userId = String((await signIn()).userId);

      expect((await api("DELETE", `/api/organizations/${contoso}`)).status).toBe(204);
      expect(await organizationsOf(userId)).toEqual([]);
      expect((await api("GET", `/api/users/${userId}`)).status).toBe(200);
      const { organizations } = logto.state;
      expect(organizations.memberRoles.where({ userId })).toEqual([]);
      expect(organizations.jitSsoConnectors.where({ organizationId: contoso })).toEqual([]);
      expect(organizations.jitEmailDomains.where({ organizationId: contoso })).toEqual([]);
      // The next sign-in of the same person provisions nothing: the identity exists.
      expect((await signIn()).idTokenClaims).toMatchObject({ organizations: [] });
    });

    it("deleting the connector removes its JIT links and keeps the organization and its members", async () => {
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], []);
      const userId = String((await signIn()).userId);

      expect((await api("DELETE", `/api/sso-connectors/${connectorId}`)).status).toBe(204);
      expect((await api("GET", `/api/organizations/${contoso}/jit/sso-connectors`)).body).toEqual([]);
      expect((await api("GET", `/api/organizations/${contoso}`)).status).toBe(200);
      expect((await organizationsOf(userId)).map(({ id }) => id)).toEqual([contoso]);
    });

    it("deleting a user removes the user's memberships", async () => {
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], []);
      const userId = String((await signIn()).userId);
      expect((await api("DELETE", `/api/users/${userId}`)).status).toBe(204);
      expect((await api("GET", `/api/organizations/${contoso}/users`)).body).toEqual([]);
    });
  });

  describe("PUT replaces a whole set", () => {
    it("replaces JIT connectors, roles and email domains whole, and an unknown id leaves the set as it was", async () => {
      const member = await role("member", []);
      const admin = await role("admin", []);
      const contoso = await organization("Contoso");
      const base = `/api/organizations/${contoso}/jit`;
      await jit(contoso, [connectorId], [member, admin]);

      expect((await api("PUT", `${base}/roles`, { organizationRoleIds: [admin] })).status).toBe(204);
      expect(((await api("GET", `${base}/roles`)).body as Array<{ name: string }>).map(({ name }) => name)).toEqual([
        "admin",
      ]);
      const refused = await api("PUT", `${base}/roles`, { organizationRoleIds: [member, "no-such-role"] });
      expect(refused).toMatchObject({ status: 422, body: { code: "entity.relation_foreign_key_not_found" } });
      expect(((await api("GET", `${base}/roles`)).body as Array<{ id: string }>).map(({ id }) => id)).toEqual([admin]);

      expect((await api("PUT", `${base}/sso-connectors`, { ssoConnectorIds: [] })).status).toBe(204);
      expect((await api("GET", `${base}/sso-connectors`)).body).toEqual([]);

      await api("PUT", `${base}/email-domains`, { emailDomains: ["a.example", "b.example"] });
      await api("PUT", `${base}/email-domains`, { emailDomains: ["c.example"] });
      expect((await api("GET", `${base}/email-domains`)).body).toEqual([
        { tenantId: "default", organizationId: contoso, emailDomain: "c.example" },
      ]);
    });

    it("replaces a member's roles whole, by id or by name, and refuses a non-member", async () => {
      const member = await role("member", []);
      const admin = await role("admin", []);
      const contoso = await organization("Contoso");
      await jit(contoso, [connectorId], [member]);
      const userId = String((await signIn()).userId);
      const rolesPath = `/api/organizations/${contoso}/users/${userId}/roles`;

      expect((await api("PUT", rolesPath, { organizationRoleNames: ["admin"] })).status).toBe(204);
      expect(((await api("GET", rolesPath)).body as Array<{ id: string }>).map(({ id }) => id)).toEqual([admin]);
      expect((await api("PUT", rolesPath, { organizationRoleNames: ["owner"] })).body).toMatchObject({
        code: "organization.role_names_not_found",
      });
      expect((await api("GET", `/api/organizations/${contoso}/users/someone-else/roles`)).body).toMatchObject({
        code: "organization.require_membership",
      });
    });
  });
});
