/** The organization part of the stack config: the template, each connection's organization, the rules between them. */
import { describe, expect, it } from "vitest";
import { RawStackConfig, StackConfig, validateStackConfig } from "../../infra/config";
import { ConnectionInput, connection, now, rawConfig } from "./fixtures";

const ns = "logto-entra-sso";
const template = {
  scopes: [{ name: "manage:members", description: "Invite and remove members" }, { name: "read:reports" }],
  roles: [
    { name: "admin", scopes: ["manage:members", "read:reports"] },
    { name: "member", description: "Every user of the customer", scopes: ["read:reports"] },
  ],
};

function validate(raw: RawStackConfig): StackConfig {
  return validateStackConfig(raw, { stack: "dev", now });
}

/** The problem lines of the one error validation throws. */
function problemsOf(raw: RawStackConfig): string[] {
  try {
    validate(raw);
  } catch (error) {
    return (error as Error).message.split("\n  - ").slice(1);
  }
  throw new Error("validation passed, a problem was expected");
}

function withOrganizations(...organizations: Array<ConnectionInput | undefined>): RawStackConfig {
  const names = ["contoso", "fabrikam", "northwind"];
  return rawConfig({
    organizationTemplate: template,
    connections: organizations.map((organization, index) =>
      connection(names[index], organization ? { organization } : {}),
    ),
  });
}

describe("organizationTemplate and connections[].organization", () => {
  it("turns the template and organizations into typed config, with the connection's display name as default", () => {
    const config = validate(
      rawConfig({
        // As the engine hands them over: JSON text.
        organizationTemplate: JSON.stringify(template),
        connections: JSON.stringify([
          connection("contoso", {
            branding: { displayName: "Contoso Ltd." },
            organization: { defaultRoles: ["member"] },
          }),
          connection("fabrikam", {
            organization: {
              name: "Fabrikam",
              description: "Customer Fabrikam",
              defaultRoles: ["admin", "member"],
              provisionEmailDomains: "true",
              adoptOrganizationId: "org-fabrikam",
              deleteOrganizationOnRemoval: true,
            },
          }),
          connection("northwind", { organization: { defaultRoles: ["member"] } }),
        ]),
      }),
    );
    expect(config.organizationTemplate).toEqual(template);
    expect(config.connections.map((c) => c.organization)).toEqual([
      {
        name: "Contoso Ltd.",
        defaultRoles: ["member"],
        provisionEmailDomains: false,
        deleteOrganizationOnRemoval: false,
      },
      {
        name: "Fabrikam",
        description: "Customer Fabrikam",
        defaultRoles: ["admin", "member"],
        provisionEmailDomains: true,
        adoptOrganizationId: "org-fabrikam",
        deleteOrganizationOnRemoval: true,
      },
      { name: "northwind", defaultRoles: ["member"], provisionEmailDomains: false, deleteOrganizationOnRemoval: false },
    ]);
  });

  it("leaves a config without organizations as it was: an empty template, no organization", () => {
    const config = validate(rawConfig());
    expect(config.organizationTemplate).toEqual({ scopes: [], roles: [] });
    expect(config.connections[0].organization).toBeUndefined();
    // Pulumi.yaml's default, as the engine hands it over.
    expect(validate(rawConfig({ organizationTemplate: "{}" })).organizationTemplate).toEqual({ scopes: [], roles: [] });
  });

  const c0 = `${ns}:connections[0].organization`;
  const c1 = `${ns}:connections[1].organization`;
  const t = `${ns}:organizationTemplate`;
  /** [case, config, the one expected problem line]. */
  const cases: Array<[string, RawStackConfig, string]> = [
    [
      "a default role not declared in the template",
      withOrganizations({ defaultRoles: ["member", "owner"] }),
      `${c0}.defaultRoles[1] is "owner": no organization role of this name is declared in ${t}.roles (declared: admin, member): declare it there, with its scopes, or use a declared one.`,
    ],
    [
      "an organization without a template",
      rawConfig({ connections: [connection("contoso", { organization: { defaultRoles: ["member"] } })] }),
      `${c0}.defaultRoles[0] is "member": no organization role of this name is declared in ${t}.roles (declared: none): declare it there, with its scopes, or use a declared one.`,
    ],
    [
      "an empty role list",
      withOrganizations({ defaultRoles: [] }),
      `${c0}.defaultRoles is []: list the organization roles users get when they join through this connection, e.g. pulumi config set --path 'connections[0].organization.defaultRoles[0]' "member".`,
    ],
    [
      "no role list",
      withOrganizations({ name: "Contoso" }),
      `${c0}.defaultRoles is not set: list the organization roles users get when they join through this connection, e.g. pulumi config set --path 'connections[0].organization.defaultRoles[0]' "member".`,
    ],
    [
      "a default role listed twice",
      withOrganizations({ defaultRoles: ["member", "member"] }),
      `${c0}.defaultRoles[1] is "member": it is listed before, at [0]: list each role once (Logto refuses a set with a repeated entry).`,
    ],
    [
      "an empty organization name",
      withOrganizations({ name: " ", defaultRoles: ["member"] }),
      `${c0}.name is " ": give the organization a name, or leave it out for the connection's display name.`,
    ],
    [
      "an organization name over Logto's limit",
      withOrganizations({ name: "n".repeat(129), defaultRoles: ["member"] }),
      `${c0}.name is "${"n".repeat(129)}": it is 129 characters long; Logto allows at most 128: shorten it.`,
    ],
    [
      "an unknown organization setting",
      withOrganizations({ defaultRoles: ["member"], roles: ["admin"] }),
      `${c0}.roles is ["admin"]: unknown setting; the known ones are name, description, defaultRoles, provisionEmailDomains, adoptOrganizationId, deleteOrganizationOnRemoval.`,
    ],
    [
      "a role granting a scope not declared",
      rawConfig({
        organizationTemplate: {
          scopes: [{ name: "read:reports" }],
          roles: [{ name: "admin", scopes: ["manage:members"] }],
        },
      }),
      `${t}.roles[0].scopes[0] is "manage:members": no organization scope of this name is declared in ${t}.scopes (declared: read:reports): declare it there (pulumi config set --path 'organizationTemplate.scopes[1].name' manage:members), or remove it from the role.`,
    ],
    [
      "a role's scope listed twice",
      rawConfig({
        organizationTemplate: {
          scopes: [{ name: "read:reports" }],
          roles: [{ name: "member", scopes: ["read:reports", "read:reports"] }],
        },
      }),
      `${t}.roles[0].scopes[1] is "read:reports": it is listed before, at [0]: list each scope once (Logto refuses a set with a repeated entry).`,
    ],
    [
      "two scopes of one name",
      rawConfig({ organizationTemplate: { scopes: [{ name: "read:reports" }, { name: "read:reports" }] } }),
      `${t}.scopes[1].name is "read:reports": scopes[0] has this name too; Logto names are unique: list each once.`,
    ],
    [
      "two roles of one name",
      rawConfig({ organizationTemplate: { roles: [{ name: "member" }, { name: "member", description: "again" }] } }),
      `${t}.roles[1].name is "member": roles[0] has this name too; Logto names are unique: list each once.`,
    ],
    [
      "a role without a name",
      rawConfig({ organizationTemplate: { roles: [{ scopes: [] }] } }),
      `${t}.roles[0].name is not set: give the organization role a name, e.g. pulumi config set --path 'organizationTemplate.roles[0].name' member.`,
    ],
    [
      "a scope name with the separator of Pulumi's URNs",
      rawConfig({ organizationTemplate: { scopes: [{ name: "reports::read" }] } }),
      `${t}.scopes[0].name is "reports::read": "::" cannot be part of it (it names the stack's resource, and Pulumi's URNs use "::" as separator): rename it.`,
    ],
    [
      "a template that is no object",
      rawConfig({ organizationTemplate: ["member"] }),
      `${t} is ["member"]: it must be an object with the keys scopes, roles.`,
    ],
    [
      "two connections adopting one organization",
      withOrganizations(
        { name: "Contoso", defaultRoles: ["member"], adoptOrganizationId: "org1" },
        { name: "Fabrikam", defaultRoles: ["member"], adoptOrganizationId: "org1" },
      ),
      `${c1}.adoptOrganizationId is "org1": connections[0] claims this organization too: it adopts the same id, and one organization belongs to one connection; adopt it in one entry only.`,
    ],
    [
      "two connections naming one organization",
      withOrganizations({ name: "Contoso", defaultRoles: ["member"] }, { name: "Contoso", defaultRoles: ["admin"] }),
      `${c1}.name is "Contoso": connections[0] claims this organization too: its organization has the same name, and each customer gets one organization of its own; give this one another name (pulumi config set --path 'connections[1].organization.name' "<name>").`,
    ],
    [
      "an organization name that is another's default",
      withOrganizations({ defaultRoles: ["member"] }, { name: "contoso", defaultRoles: ["member"] }),
      `${c1}.name is "contoso": connections[0] claims this organization too: its organization has the same name, and each customer gets one organization of its own; give this one another name (pulumi config set --path 'connections[1].organization.name' "<name>").`,
    ],
    [
      "two organizations named by default from one display name",
      rawConfig({
        organizationTemplate: template,
        connections: [
          connection("contoso", { branding: { displayName: "Contoso" }, organization: { defaultRoles: ["member"] } }),
          connection("fabrikam", { branding: { displayName: "Contoso" }, organization: { defaultRoles: ["member"] } }),
        ],
      }),
      `${c1}.name is "Contoso": connections[0] claims this organization too: its organization has the same name, the connection's display name by default, and each customer gets one organization of its own; give this one another name (pulumi config set --path 'connections[1].organization.name' "<name>").`,
    ],
  ];

  it.each(cases)("refuses %s, naming the field, the value and the fix", (_case, raw, line) => {
    expect(problemsOf(raw)).toEqual([line]);
  });

  it("reports every problem of the template, the organizations and the rest of the config at once", () => {
    const problems = problemsOf(
      rawConfig({
        organizationTemplate: {
          scopes: [{ name: "read:reports" }, { name: "read:reports" }],
          roles: [{ name: "admin", scopes: ["manage:members"] }],
        },
        connections: [
          connection("contoso", { tenantId: "not-a-guid", organization: { defaultRoles: ["owner"] } }),
          connection("fabrikam", { organization: { name: "contoso", defaultRoles: [] } }),
        ],
      }),
    );
    expect(problems.map((line) => line.split(" is ")[0]).sort()).toEqual(
      [
        `${ns}:connections[0].tenantId`,
        `${ns}:connections[0].organization.defaultRoles[0]`,
        `${ns}:connections[1].organization.defaultRoles`,
        `${ns}:connections[1].organization.name`,
        `${t}.scopes[1].name`,
        `${t}.roles[0].scopes[0]`,
      ].sort(),
    );
  });
});
