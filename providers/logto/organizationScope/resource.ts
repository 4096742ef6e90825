import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { organizationScopeProvider } from "./provider";

export interface OrganizationScopeArgs {
  /** The permission's name, e.g. `read:reports`: unique in the tenant, shared by every stack. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
}

/**
 * A scope (permission) of Logto's organization template. One of this name that another stack or the console
 * made is used, never changed or deleted (`ownership: "external"`).
 */
export class OrganizationScope extends ReferencedDynamicResource {
  // `declare`: the base constructor fills these in; an ES2022 class field would reset them to undefined.
  declare public readonly scopeId: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly ownership: pulumi.Output<"stack" | "external">;

  constructor(name: string, args: OrganizationScopeArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      organizationScopeProvider,
      name,
      {
        name: args.name,
        description: args.description ?? "",
        // Filled by check from logto:endpoint.
        endpoint: undefined,
        scopeId: undefined,
        ownership: undefined,
      },
      opts,
      "logto",
      "OrganizationScope",
    );
  }
}
