/**
 * The B2B part of the resource graph: the organization template (scopes, then the roles that grant them) and,
 * per connection with an `organization`, the customer's organization joined through the connection's connector.
 * Nothing is declared without organization config.
 */
import * as pulumi from "@pulumi/pulumi";
import { OrganizationGuard, OrganizationRole, OrganizationScope } from "../providers/logto";
import type { GuardedOrganizationArgs } from "../providers/logto";
import { CustomerOrganization } from "./components/customerOrganization";
import type { ConnectionConfig } from "./connectionConfig";
import type { OrganizationTemplateConfig } from "./organizationConfig";

/** What a person needs about a connection's organization; nothing secret. */
export interface OrganizationOutputs {
  id: pulumi.Output<string>;
  name: pulumi.Output<string>;
}

/** The template's roles by name; their `name` outputs carry the dependency on them. */
export type TemplateRoles = Map<string, OrganizationRole>;

/** The template's scopes and roles; each role depends on the scopes it grants (their name outputs). */
export function deployOrganizationTemplate(template: OrganizationTemplateConfig, protect: boolean): TemplateRoles {
  const scopes = new Map(
    template.scopes.map((scope) => [
      scope.name,
      new OrganizationScope(`organization-scope-${scope.name}`, scope, { protect }),
    ]),
  );
  return new Map(
    template.roles.map((role) => [
      role.name,
      new OrganizationRole(
        `organization-role-${role.name}`,
        // The config checked that every scope is declared.
        { ...role, scopes: role.scopes.map((scope) => scopes.get(scope)!.name) },
        { protect },
      ),
    ]),
  );
}

/** A connection's organization: its outputs, and what the organization guard records of it. */
export interface DeployedOrganization {
  outputs: OrganizationOutputs;
  guarded: GuardedOrganizationArgs;
}

/** The connection's organization and its JIT link through `ssoConnectorId`; undefined without `organization`. */
export function deployCustomerOrganization(
  connection: ConnectionConfig,
  ssoConnectorId: pulumi.Output<string>,
  roles: TemplateRoles,
  opts: { protect: boolean; aliases: pulumi.Alias[] },
): DeployedOrganization | undefined {
  const { organization } = connection;
  if (!organization) return undefined;
  const customer = new CustomerOrganization(
    `${connection.name}-organization`,
    {
      name: organization.name,
      description: organization.description,
      adoptOrganizationId: organization.adoptOrganizationId,
      ssoConnectorId,
      // The config checked that every default role is declared in the template.
      defaultRoles: organization.defaultRoles.map((role) => roles.get(role)!.name),
      emailDomains: organization.provisionEmailDomains ? connection.domains : [],
      deleteOrganizationOnRemoval: organization.deleteOrganizationOnRemoval,
      templateRoles: [...roles.values()],
    },
    opts,
  );
  return {
    outputs: { id: customer.organizationId, name: customer.organizationName },
    guarded: {
      connection: connection.name,
      organizationId: customer.organizationId,
      deleteOnRemoval: organization.deleteOrganizationOnRemoval,
      adopted: customer.adopted,
    },
  };
}

/**
 * The record of the stack's organizations, declared after them: a preview says what a change does to each one it
 * removes (deleted or kept, with its member count), and destroy says it before deleting any. Declared whenever the
 * config has organizations or a template, so it outlives the removal of the last organization (a stack without
 * either never had one to record).
 */
export function deployOrganizationGuard(
  organizations: GuardedOrganizationArgs[],
  template: OrganizationTemplateConfig,
): OrganizationGuard | undefined {
  const templateDeclared = template.scopes.length > 0 || template.roles.length > 0;
  if (organizations.length === 0 && !templateDeclared) return undefined;
  return new OrganizationGuard("organization-guard", { organizations });
}
