import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { organizationJitProvider } from "./provider";

export interface OrganizationJitArgs {
  organizationId: pulumi.Input<string>;
  /** Enterprise SSO connectors (ids) whose users become members on their first sign-in. */
  ssoConnectorIds?: pulumi.Input<pulumi.Input<string>[]>;
  /** Organization roles (names) those new members get. */
  roles?: pulumi.Input<pulumi.Input<string>[]>;
  /** Email domains whose verified-email sign-ups join too (not SSO sign-ins). */
  emailDomains?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * An organization's just-in-time provisioning, each set replaced whole. Deleting it unlinks (empties the sets)
 * and keeps the organization and its members.
 */
export class OrganizationJit extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly organizationId: pulumi.Output<string>;
  declare public readonly ssoConnectorIds: pulumi.Output<string[]>;
  declare public readonly roles: pulumi.Output<string[]>;
  declare public readonly emailDomains: pulumi.Output<string[]>;

  constructor(name: string, args: OrganizationJitArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      organizationJitProvider,
      name,
      {
        organizationId: args.organizationId,
        ssoConnectorIds: args.ssoConnectorIds ?? [],
        roles: args.roles ?? [],
        emailDomains: args.emailDomains ?? [],
        // Filled by check from logto:endpoint.
        endpoint: undefined,
      },
      opts,
      "logto",
      "OrganizationJit",
    );
  }
}
