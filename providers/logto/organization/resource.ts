import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { organizationProvider } from "./provider";

export interface OrganizationArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /**
   * Manage this existing organization (its id in the Logto console) instead of creating one; destroy then only
   * unlinks it, with its members.
   */
  adoptOrganizationId?: pulumi.Input<string>;
}

/**
 * A Logto organization (one customer). Every change is made in place: deleting an organization deletes its
 * memberships, so nothing short of managing another organization replaces it, and its delete says how many
 * members it had.
 */
export class Organization extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly organizationId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: OrganizationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      organizationProvider,
      name,
      {
        name: args.name,
        description: args.description ?? "",
        adoptOrganizationId: args.adoptOrganizationId ?? "",
        // Filled by check from logto:endpoint.
        endpoint: undefined,
        organizationId: undefined,
        adopted: undefined,
      },
      opts,
      "logto",
      "Organization",
    );
  }
}
