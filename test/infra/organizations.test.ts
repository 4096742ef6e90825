/** The program's organization resources under mocks: the template, each connection's organization, their wiring. */
import { describe, expect, it } from "vitest";
import type { RawStackConfig } from "../../infra/config";
import { connection, now, rawConfig, tenantIds } from "./fixtures";
import { ProgramRun, find, ofType, reveal, runProgram, settle, types } from "./harness";

const organizationTypes = {
  scope: "pulumi-nodejs:dynamic/logto:OrganizationScope",
  role: "pulumi-nodejs:dynamic/logto:OrganizationRole",
  customer: "logto-entra-sso:logto:CustomerOrganization",
  organization: "pulumi-nodejs:dynamic/logto:Organization",
  jit: "pulumi-nodejs:dynamic/logto:OrganizationJit",
};

const template = {
  scopes: [{ name: "manage:members", description: "Invite and remove members" }, { name: "read:reports" }],
  roles: [
    { name: "admin", scopes: ["manage:members", "read:reports"] },
    { name: "member", scopes: ["read:reports"] },
  ],
};

function run(raw: RawStackConfig): Promise<ProgramRun> {
  return runProgram(raw, now);
}

function organizationRun(overrides: RawStackConfig = {}): Promise<ProgramRun> {
  return run(
    rawConfig({
      organizationTemplate: template,
      connections: [
        connection("contoso", { organization: { name: "Contoso", defaultRoles: ["member"] } }),
        connection("fabrikam", {
          branding: { displayName: "Fabrikam Inc." },
          organization: {
            defaultRoles: ["admin", "member"],
            provisionEmailDomains: true,
            adoptOrganizationId: "org-fabrikam",
            deleteOrganizationOnRemoval: true,
          },
        }),
        connection("northwind"),
      ],
      ...overrides,
    }),
  );
}

describe("the program's organizations", () => {
  it("declares the template: each scope, and each role depending on the scopes it grants", async () => {
    const { recording } = await organizationRun();
    const scopes = ofType(recording, organizationTypes.scope);
    expect(scopes.map((s) => [s.name, s.parent, reveal(s.inputs)])).toEqual([
      [
        "organization-scope-manage:members",
        "",
        expect.objectContaining({ name: "manage:members", description: "Invite and remove members" }),
      ],
      ["organization-scope-read:reports", "", expect.objectContaining({ name: "read:reports", description: "" })],
    ]);
    const admin = find(recording, organizationTypes.role, "organization-role-admin");
    expect(reveal(admin.inputs)).toMatchObject({ name: "admin", scopes: ["manage:members", "read:reports"] });
    expect(admin.dependencies).toEqual(expect.arrayContaining(scopes.map((s) => s.urn)));
    const member = find(recording, organizationTypes.role, "organization-role-member");
    expect(reveal(member.inputs)).toMatchObject({ name: "member", scopes: ["read:reports"] });
    expect(member.dependencies).toContain(
      find(recording, organizationTypes.scope, "organization-scope-read:reports").urn,
    );
    expect(member.dependencies).not.toContain(
      find(recording, organizationTypes.scope, "organization-scope-manage:members").urn,
    );
  });

  it("gives each connection with an organization its organization, joined through that connection's connector", async () => {
    const { recording } = await organizationRun();
    expect(ofType(recording, organizationTypes.customer).map((c) => c.name)).toEqual([
      "contoso-organization",
      "fabrikam-organization",
    ]);
    const role = (name: string) => find(recording, organizationTypes.role, `organization-role-${name}`).urn;

    const contoso = find(recording, organizationTypes.organization, "contoso-organization-organization");
    expect(reveal(contoso.inputs)).toMatchObject({ name: "Contoso", description: "", adoptOrganizationId: "" });
    // Removing the connection keeps the organization and its members unless the entry says otherwise.
    expect(contoso.retainOnDelete).toBe(true);
    const contosoJit = find(recording, organizationTypes.jit, "contoso-organization-jit");
    expect(reveal(contosoJit.inputs)).toMatchObject({
      organizationId: "contoso-organization-organization-id",
      ssoConnectorIds: ["conn-contoso-sso-connector"],
      roles: ["member"],
      emailDomains: [],
    });
    expect(contosoJit.dependencies).toEqual(
      expect.arrayContaining([find(recording, types.connector, "contoso-sso-connector").urn, role("member")]),
    );

    const fabrikam = find(recording, organizationTypes.organization, "fabrikam-organization-organization");
    // The default name is the connection's display name.
    expect(reveal(fabrikam.inputs)).toMatchObject({ name: "Fabrikam Inc.", adoptOrganizationId: "org-fabrikam" });
    expect(fabrikam.retainOnDelete).toBe(false);
    const fabrikamJit = find(recording, organizationTypes.jit, "fabrikam-organization-jit");
    expect(reveal(fabrikamJit.inputs)).toMatchObject({
      ssoConnectorIds: ["conn-fabrikam-sso-connector"],
      roles: ["admin", "member"],
      emailDomains: ["fabrikam.com"],
    });
    expect(fabrikamJit.dependencies).toEqual(expect.arrayContaining([role("admin"), role("member")]));
  });

  it("lists each connection's organization id and name in the outputs, and none for a connection without", async () => {
    const { outputs } = await organizationRun();
    expect((await settle(outputs.connections.contoso.organization)).value).toEqual({
      id: "contoso-organization-organization-id",
      name: "Contoso",
    });
    expect((await settle(outputs.connections.fabrikam.organization)).value).toEqual({
      id: "fabrikam-organization-organization-id",
      name: "Fabrikam Inc.",
    });
    expect(outputs.connections.northwind.organization).toBeUndefined();
  });

  it("keeps an organization on a connection's rename (aliases), and protects it with protect", async () => {
    const { recording } = await organizationRun({
      protect: true,
      connections: [
        connection("contoso-eu", {
          tenantId: tenantIds.contoso,
          formerNames: ["contoso"],
          organization: { name: "Contoso", defaultRoles: ["member"] },
        }),
      ],
    });
    const customer = find(recording, organizationTypes.customer, "contoso-eu-organization");
    expect(customer.aliasNames).toEqual(["contoso-organization"]);
    for (const type of Object.values(organizationTypes)) {
      for (const resource of ofType(recording, type)) expect(resource.protect, resource.name).toBe(true);
    }
  });

  it("joins through a provided connection's connector too", async () => {
    const { recording } = await run(
      rawConfig({
        organizationTemplate: template,
        connections: [
          connection("contoso", {
            mode: "provided",
            clientId: "44444444-4444-4444-8444-444444444444",
            clientSecret: "customer-secret-marker",
            organization: { defaultRoles: ["member"] },
          }),
        ],
      }),
    );
    expect(reveal(find(recording, organizationTypes.jit, "contoso-organization-jit").inputs)).toMatchObject({
      ssoConnectorIds: ["conn-contoso-sso-connector"],
      roles: ["member"],
    });
  });

  it("records each organization in the organization guard, declared after them: id, delete on removal, adopted", async () => {
    const { recording } = await organizationRun();
    const guard = find(recording, types.organizationGuard, "organization-guard");
    expect((reveal(guard.inputs) as { organizations: unknown }).organizations).toEqual([
      {
        connection: "contoso",
        organizationId: "contoso-organization-organization-id",
        deleteOnRemoval: false,
        adopted: false,
      },
      {
        connection: "fabrikam",
        organizationId: "fabrikam-organization-organization-id",
        deleteOnRemoval: true,
        adopted: true,
      },
    ]);
    // What it records of each is the retainOnDelete the organization gets in the state.
    for (const name of ["contoso", "fabrikam"]) {
      const organization = find(recording, organizationTypes.organization, `${name}-organization-organization`);
      const record = (
        reveal(guard.inputs) as { organizations: Array<{ connection: string; deleteOnRemoval: boolean }> }
      ).organizations.find((row) => row.connection === name);
      expect(record?.deleteOnRemoval, name).toBe(!organization.retainOnDelete);
      expect(guard.dependencies, name).toContain(organization.urn);
    }
    expect(guard.inputs.__provider).toContain('require("logto-entra-sso-provider").organizationGuardProvider;');
  });

  it("keeps the organization guard with a template and no organization left, so the removal of the last one is said", async () => {
    const { recording } = await run(
      rawConfig({ organizationTemplate: template, connections: [connection("contoso")] }),
    );
    expect(
      (reveal(find(recording, types.organizationGuard, "organization-guard").inputs) as { organizations: unknown })
        .organizations,
    ).toEqual([]);
  });

  it("declares no organization resource without organization config", async () => {
    const { recording, outputs } = await run(rawConfig());
    for (const type of [...Object.values(organizationTypes), types.organizationGuard])
      expect(ofType(recording, type), type).toEqual([]);
    expect(outputs.connections.contoso.organization).toBeUndefined();
  });
});
