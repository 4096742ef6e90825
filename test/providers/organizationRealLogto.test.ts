/**
 * The organization kinds' create, read, update and delete against a real Logto built from its source (LOGTO_E2E_*,
 * /work/real-logto on the development machine; skipped without them). Every object is named with a run suffix
 * and deleted afterwards.
 */
import http from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { organizationProvider } from "../../providers/logto/organization/provider";
import type { OrganizationOutputs } from "../../providers/logto/organization/schema";
import { organizationJitProvider } from "../../providers/logto/organizationJit/provider";
import type { OrganizationJitInputs } from "../../providers/logto/organizationJit/schema";
import { organizationRoleProvider } from "../../providers/logto/organizationRole/provider";
import type { OrganizationRoleOutputs } from "../../providers/logto/organizationRole/schema";
import { organizationScopeProvider } from "../../providers/logto/organizationScope/provider";
import type { OrganizationScopeOutputs } from "../../providers/logto/organizationScope/schema";
import { managementClient, resetManagementApiRegistry } from "../../providers/logto/registry";
import { ssoConnectorProvider } from "../../providers/logto/ssoConnector";
import type { SsoConnectorOutputs } from "../../providers/logto/ssoConnectorSchema";
import { configureFromStack } from "../../providers/logto/support";
import { failureOf, noticesDuring, stackConfig } from "./harness";

const endpoint = process.env.LOGTO_E2E_ENDPOINT;
const suffix = `${Date.now().toString(36)}`;
/** Objects to delete afterwards, newest first. */
const cleanup: Array<() => Promise<unknown>> = [];

function credentials(): Record<string, string> {
  return {
    "logto:endpoint": endpoint ?? "",
    "logto:m2mAppId": process.env.LOGTO_E2E_M2M_APP_ID ?? "",
    "logto:m2mAppSecret": process.env.LOGTO_E2E_M2M_APP_SECRET ?? "",
    "logto:retryBaseDelayMs": "50",
  };
}

/**
 * The real Logto behind a proxy that carries out the first `POST /api/organizations` and then drops the
 * connection instead of answering: a create whose answer was lost.
 */
async function losingFirstCreate(target: string): Promise<{ url: string; close(): Promise<void> }> {
  let dropped = false;
  const server = http.createServer((request, response) => {
    const drop = !dropped && request.method === "POST" && request.url === "/api/organizations";
    dropped ||= drop;
    const upstream = http.request(
      `${target}${request.url ?? "/"}`,
      { method: request.method, headers: { ...request.headers, host: new URL(target).host } },
      (answer) => {
        if (drop) {
          answer.resume();
          answer.on("end", () => response.socket?.destroy());
          return;
        }
        response.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(response);
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** Deletes afterwards what the test made straight through the Management API (as the console would). */
function deleteAfterwards(kind: "user" | "organization" | "role", id: string): void {
  const action = `deleting ${kind} ${id}`;
  cleanup.push(() => {
    // Asked for at clean-up: the client of the configured Logto then, not of a proxy gone by then.
    const client = managementClient();
    if (kind === "user") return client.deleteIfPresent({ path: "/api/users/{userId}", params: { userId: id }, action });
    if (kind === "role")
      return client.deleteIfPresent({ path: "/api/organization-roles/{id}", params: { id }, action });
    return client.deleteIfPresent({ path: "/api/organizations/{id}", params: { id }, action });
  });
}

describe.skipIf(!endpoint)("organization kinds against a real Logto", () => {
  beforeAll(async () => {
    resetManagementApiRegistry();
    await configureFromStack({ config: stackConfig(credentials()) });
  });
  afterAll(async () => {
    for (const undo of cleanup.reverse()) await noticesDuring(undo).catch(() => undefined);
    resetManagementApiRegistry();
  });

  it("scopes, a role with them, an organization and its JIT: made, read, changed in place, deleted", async () => {
    const scopeIn = { name: `read:reports-${suffix}`, description: "Read reports", endpoint: endpoint! };
    const scope = await organizationScopeProvider.create(scopeIn);
    cleanup.push(() => organizationScopeProvider.delete!(scope.id, scope.outs as OrganizationScopeOutputs));
    const manage = await organizationScopeProvider.create({ ...scopeIn, name: `manage:members-${suffix}` });
    cleanup.push(() => organizationScopeProvider.delete!(manage.id, manage.outs as OrganizationScopeOutputs));
    expect(scope.outs).toMatchObject({ ownership: "stack", scopeId: scope.id });

    // The same name again is the one made above, used (external), not a second one.
    const again = await organizationScopeProvider.create(scopeIn);
    expect(again).toMatchObject({ id: scope.id, outs: { ownership: "external" } });

    const roleIn = { name: `admin-${suffix}`, description: "", scopes: [scopeIn.name], endpoint: endpoint! };
    const role = await organizationRoleProvider.create(roleIn);
    cleanup.push(() => organizationRoleProvider.delete!(role.id, role.outs as OrganizationRoleOutputs));
    const roleNews = { ...roleIn, description: "Administrator", scopes: [scopeIn.name, `manage:members-${suffix}`] };
    const roleUpdated = await organizationRoleProvider.update!(role.id, role.outs as OrganizationRoleOutputs, roleNews);
    const roleRead = await organizationRoleProvider.read!(role.id, roleUpdated.outs);
    expect(roleRead.props).toMatchObject({ description: "Administrator", scopes: roleNews.scopes, ownership: "stack" });

    const orgIn = { name: `Contoso-${suffix}`, description: "", adoptOrganizationId: "", endpoint: endpoint! };
    const organization = await organizationProvider.create(orgIn);
    cleanup.push(() => organizationProvider.delete!(organization.id, organization.outs as OrganizationOutputs));
    const renamed = await organizationProvider.update!(organization.id, organization.outs as OrganizationOutputs, {
      ...orgIn,
      name: `Contoso Ltd-${suffix}`,
    });
    expect(
      (await organizationProvider.read!(organization.id, renamed.outs as OrganizationOutputs)).props,
    ).toMatchObject({ name: `Contoso Ltd-${suffix}`, organizationId: organization.id, adopted: false });

    // An AzureAdOidc connector accepts this Logto's own issuer (its discovery needs no extra CA).
    const connector = await ssoConnectorProvider.create({
      providerName: "AzureAdOidc",
      connectorName: `orgs-${suffix}`,
      config: { clientId: `client-${suffix}`, clientSecret: `secret-${suffix}`, issuer: `${endpoint}/oidc` },
      domains: [],
      branding: {},
      syncProfile: false,
      enableTokenStorage: false,
      adoptExisting: false,
      deleteAdoptedOnDestroy: false,
      endpoint: endpoint!,
      allowUserRelink: false,
      clientOwnership: "external",
      publicOrigin: endpoint!,
      formerPublicOrigins: [],
    });
    cleanup.push(() => ssoConnectorProvider.delete!(connector.id, connector.outs as SsoConnectorOutputs));

    const jitIn: OrganizationJitInputs = {
      organizationId: organization.id,
      ssoConnectorIds: [connector.id],
      roles: [roleIn.name],
      emailDomains: [`orgs-${suffix}.example`, `Sub.Orgs-${suffix}.example`],
      endpoint: endpoint!,
    };
    const jit = await organizationJitProvider.create(jitIn);
    cleanup.push(() => organizationJitProvider.delete!(organization.id, jitIn));
    expect((await organizationJitProvider.read!(jit.id, jitIn)).props).toEqual(jitIn);

    const unknownConnector = await failureOf(() =>
      organizationJitProvider.update!(jit.id, jitIn, { ...jitIn, ssoConnectorIds: [connector.id, "nosuchconnector"] }),
    );
    expect(unknownConnector.message).toMatch(
      /HTTP 422 entity.relation_foreign_key_not_found.*No SSO connector has the id nosuchconnector/,
    );
    expect((await organizationJitProvider.read!(jit.id, jitIn)).props).toEqual(jitIn);

    await organizationJitProvider.update!(jit.id, jitIn, { ...jitIn, emailDomains: [] });
    expect((await organizationJitProvider.read!(jit.id, jitIn)).props).toMatchObject({ emailDomains: [] });

    // A member, so the delete has one to count.
    const client = managementClient();
    const user = await client.send({
      method: "POST",
      path: "/api/users",
      body: { username: `orgs_${suffix}` },
      action: "making a user",
    });
    deleteAfterwards("user", user.data.id);
    await client.send({
      method: "POST",
      path: "/api/organizations/{id}/users",
      params: { id: organization.id },
      body: { userIds: [user.data.id] },
      action: "adding the member",
    });

    await organizationJitProvider.delete!(organization.id, jitIn);
    const unlinked = await organizationJitProvider.read!(organization.id, jitIn);
    expect(unlinked.props).toMatchObject({ ssoConnectorIds: [], roles: [], emailDomains: [] });

    const notices = await noticesDuring(() =>
      organizationProvider.delete!(organization.id, renamed.outs as OrganizationOutputs),
    );
    expect(notices.join("\n")).toMatch(/it has 1 member,/);
    expect(await organizationProvider.read!(organization.id, renamed.outs as OrganizationOutputs)).toEqual({});

    // The second, external record of the scope is only unlinked; the stack's own is deleted.
    await noticesDuring(() => organizationScopeProvider.delete!(again.id, again.outs as OrganizationScopeOutputs));
    expect(
      (await organizationScopeProvider.read!(scope.id, scope.outs as OrganizationScopeOutputs)).props,
    ).toBeDefined();
    await organizationRoleProvider.delete!(role.id, roleUpdated.outs as OrganizationRoleOutputs);
    expect(await organizationRoleProvider.read!(role.id, roleUpdated.outs as OrganizationRoleOutputs)).toEqual({});
  });

  it("an organization made in the console is adopted by id and only unlinked; a role made there is used, never deleted", async () => {
    const client = managementClient();
    const made = await client.send({
      method: "POST",
      path: "/api/organizations",
      body: { name: `Console-${suffix}` },
      action: "making an organization in the console",
    });
    deleteAfterwards("organization", made.data.id);
    const adopted = await organizationProvider.create({
      name: `Fabrikam-${suffix}`,
      description: "Adopted",
      adoptOrganizationId: made.data.id,
      endpoint: endpoint!,
    });
    expect(adopted).toMatchObject({ id: made.data.id, outs: { adopted: true, name: `Fabrikam-${suffix}` } });
    await noticesDuring(() => organizationProvider.delete!(adopted.id, adopted.outs as OrganizationOutputs));
    expect((await organizationProvider.read!(adopted.id, adopted.outs as OrganizationOutputs)).props).toMatchObject({
      name: `Fabrikam-${suffix}`,
      description: "Adopted",
    });

    const theirs = await client.send({
      method: "POST",
      path: "/api/organization-roles",
      body: { name: `viewer-${suffix}`, organizationScopeIds: [], resourceScopeIds: [] },
      action: "making a role in the console",
    });
    deleteAfterwards("role", theirs.data.id);
    const used = await organizationRoleProvider.create({
      name: `viewer-${suffix}`,
      description: "",
      scopes: [],
      endpoint: endpoint!,
    });
    expect(used).toMatchObject({ id: theirs.data.id, outs: { ownership: "external" } });
    await noticesDuring(() => organizationRoleProvider.delete!(used.id, used.outs as OrganizationRoleOutputs));
    expect((await organizationRoleProvider.read!(used.id, used.outs as OrganizationRoleOutputs)).props).toBeDefined();
  });

  it("a create whose answer was lost makes one organization, though another has its name", async () => {
    const name = `Lost-${suffix}`;
    const client = managementClient();
    const twin = await client.send({
      method: "POST",
      path: "/api/organizations",
      body: { name },
      action: "making a twin",
    });
    deleteAfterwards("organization", twin.data.id);
    const proxy = await losingFirstCreate(endpoint!);
    try {
      resetManagementApiRegistry();
      await configureFromStack({ config: stackConfig({ ...credentials(), "logto:endpoint": proxy.url }) });
      const made = await organizationProvider.create({
        name,
        description: "",
        adoptOrganizationId: "",
        endpoint: proxy.url,
      });
      deleteAfterwards("organization", made.id);
      expect(made.id).not.toBe(twin.data.id);
    } finally {
      await proxy.close();
      resetManagementApiRegistry();
      await configureFromStack({ config: stackConfig(credentials()) });
    }
    const named = await client.send({
      method: "GET",
      path: "/api/organizations",
      query: { q: name },
      action: "listing them",
    });
    expect(named.data.filter((row) => row.name === name)).toHaveLength(2);
  });
});
