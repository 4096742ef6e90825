import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { organizationRoleProvider } from "./provider";

export interface OrganizationRoleArgs {
  /** The role's name, e.g. `admin`: unique in the tenant, shared by every stack. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  /** The organization scopes it grants, by name (each an OrganizationScope or one the tenant has). */
  scopes?: pulumi.Input<pulumi.Input<string>[]>;
}

/**
 * A role of Logto's organization template with its scopes. One of this name that another stack or the console
 * made is used as it is, never changed or deleted (`ownership: "external"`).
 */
export class OrganizationRole extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly roleId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly scopes: pulumi.Output<string[]>;
  declare public readonly ownership: pulumi.Output<"stack" | "external">;

  constructor(name: string, args: OrganizationRoleArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      organizationRoleProvider,
      name,
      {
        name: args.name,
        description: args.description ?? "",
        scopes: args.scopes ?? [],
        // Filled by check from logto:endpoint.
        endpoint: undefined,
        roleId: undefined,
        ownership: undefined,
      },
      opts,
      "logto",
      "OrganizationRole",
    );
  }
}
