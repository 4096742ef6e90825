/** The CustomerOrganization component on its own, under Pulumi's mocks. */
import { describe, expect, it } from "vitest";
import { find, finish, reveal, settle, startRecording } from "./harness";

const types = {
  component: "logto-entra-sso:logto:CustomerOrganization",
  organization: "pulumi-nodejs:dynamic/logto:Organization",
  jit: "pulumi-nodejs:dynamic/logto:OrganizationJit",
  role: "pulumi-nodejs:dynamic/logto:OrganizationRole",
};

describe("CustomerOrganization", () => {
  it("makes the organization and its JIT link through the connector, parented, with the roles' dependency", async () => {
    const recording = await startRecording();
    const { CustomerOrganization } = await import("../../infra/components/customerOrganization");
    const { OrganizationRole } = await import("../../providers/logto");
    const member = new OrganizationRole("member", { name: "member", scopes: [] });
    const customer = new CustomerOrganization("contoso", {
      name: "Contoso",
      description: "Customer Contoso",
      ssoConnectorId: "conn-contoso",
      defaultRoles: [member.name],
      emailDomains: ["contoso.com"],
      templateRoles: [member],
    });
    expect((await settle(customer.organizationId)).value).toBe("contoso-organization-id");
    await finish();

    const component = find(recording, types.component, "contoso");
    const organization = find(recording, types.organization, "contoso-organization");
    const jit = find(recording, types.jit, "contoso-jit");
    expect(organization.parent).toBe(component.urn);
    expect(jit.parent).toBe(component.urn);
    expect(reveal(organization.inputs)).toMatchObject({
      name: "Contoso",
      description: "Customer Contoso",
      adoptOrganizationId: "",
    });
    // Removing the connection keeps the organization and its members by default.
    expect(organization.retainOnDelete).toBe(true);
    expect(jit.retainOnDelete).toBe(false);
    expect(reveal(jit.inputs)).toMatchObject({
      organizationId: "contoso-organization-id",
      ssoConnectorIds: ["conn-contoso"],
      roles: ["member"],
      emailDomains: ["contoso.com"],
    });
    // The state refers to the installed provider package's exports, as the engine loads them.
    expect(organization.inputs.__provider).toContain('require("logto-entra-sso-provider").organizationProvider;');
    expect(jit.inputs.__provider).toContain('require("logto-entra-sso-provider").organizationJitProvider;');
    expect(find(recording, types.role, "member").inputs.__provider).toContain(
      'require("logto-entra-sso-provider").organizationRoleProvider;',
    );
    expect(jit.dependencies).toEqual(
      expect.arrayContaining([organization.urn, find(recording, types.role, "member").urn]),
    );
    // A destroy deletes the organization before the template roles, whose usage check would else find it.
    expect(organization.dependencies).toContain(find(recording, types.role, "member").urn);
  });

  it("deletes the organization on removal only when the entry says so; adopts by id", async () => {
    const recording = await startRecording();
    const { CustomerOrganization } = await import("../../infra/components/customerOrganization");
    new CustomerOrganization("fabrikam", {
      name: "Fabrikam",
      adoptOrganizationId: "org123",
      ssoConnectorId: "conn-fabrikam",
      defaultRoles: ["member"],
      deleteOrganizationOnRemoval: true,
    });
    await finish();
    const organization = find(recording, types.organization, "fabrikam-organization");
    expect(organization.retainOnDelete).toBe(false);
    expect(reveal(organization.inputs)).toMatchObject({ adoptOrganizationId: "org123" });
    expect(reveal(find(recording, types.jit, "fabrikam-jit").inputs)).toMatchObject({ emailDomains: [] });
  });
});
