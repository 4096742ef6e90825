import * as pulumi from "@pulumi/pulumi";
import { Organization, OrganizationJit } from "../../providers/logto";

export interface CustomerOrganizationArgs {
  /** The organization's display name (one customer); names are not unique in Logto. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** Manage this existing organization (its id) instead of creating one; it is then never deleted by the stack. */
  adoptOrganizationId?: pulumi.Input<string>;
  /** The connection's enterprise SSO connector: its users join the organization at their first sign-in. */
  ssoConnectorId: pulumi.Input<string>;
  /**
   * The organization roles (names) those users get. Pass the template's `OrganizationRole.name` outputs, so the
   * roles exist before they are given.
   */
  defaultRoles: pulumi.Input<pulumi.Input<string>[]>;
  /** Email domains whose verified-email sign-ups (not SSO sign-ins) join too. Default none. */
  emailDomains?: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Delete the organization (and so every membership in it) when the connection is removed or the stack
   * destroyed. Default false: removing the connection only removes its JIT link and keeps the organization.
   */
  deleteOrganizationOnRemoval?: boolean;
  /**
   * The stack's organization roles. The organization depends on them, so a destroy deletes it (when
   * `deleteOrganizationOnRemoval`) before them: a role's usage check (it is kept while any organization uses it)
   * then no longer finds the stack's own organization and its members.
   */
  templateRoles?: pulumi.Resource[];
}

/**
 * One customer's Logto organization and its just-in-time provisioning through the customer's SSO connector:
 * users signing in through it become members with the default roles. Renames and role or domain changes are
 * made in place; the organization and its members are never replaced by a routine change. Its plain values come
 * checked from the stack config (infra/organizationConfig.ts).
 */
export class CustomerOrganization extends pulumi.ComponentResource {
  public readonly organizationId: pulumi.Output<string>;
  public readonly organizationName: pulumi.Output<string>;
  /** True when the stack took over an existing organization (adoptOrganizationId). */
  public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: CustomerOrganizationArgs, opts?: pulumi.ComponentResourceOptions) {
    super("logto-entra-sso:logto:CustomerOrganization", name, {}, opts);
    const organization = new Organization(
      `${name}-organization`,
      { name: args.name, description: args.description, adoptOrganizationId: args.adoptOrganizationId },
      // Kept in Logto with its members unless the entry asks otherwise (retainOnDelete: the engine removes it from
      // the state only).
      { parent: this, retainOnDelete: args.deleteOrganizationOnRemoval !== true, dependsOn: args.templateRoles },
    );
    // The resource id, which an update keeps: a preview of a rename knows it, and plans no change of the JIT link.
    this.organizationId = organization.id;
    new OrganizationJit(
      `${name}-jit`,
      {
        organizationId: this.organizationId,
        ssoConnectorIds: [args.ssoConnectorId],
        roles: args.defaultRoles,
        emailDomains: args.emailDomains ?? [],
      },
      { parent: this },
    );

    this.organizationName = organization.name;
    this.adopted = organization.adopted;
    this.registerOutputs({
      organizationId: this.organizationId,
      organizationName: this.organizationName,
      adopted: this.adopted,
    });
  }
}
