import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { organizationScopeProvider } from "./provider";
import type { OrganizationScopeOutputs } from "./schema";

export interface OrganizationScopeArgs {
  /** The permission's name, e.g. `read:reports`: unique in the tenant, shared by every stack. */
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
}

/**
 * A scope (permission) of Logto's organization template. One of this name that another stack or the console
 * made is used, never changed or deleted (`ownership: "external"`).
 */
export class OrganizationScope extends logtoResourceClass<
  OrganizationScopeArgs,
  Pick<OrganizationScopeOutputs, "scopeId" | "name" | "ownership">
>(
  organizationScopeProvider,
  "OrganizationScope",
  (args) => ({ name: args.name, description: args.description ?? "" }),
  { outputs: ["endpoint", "scopeId", "ownership"] },
) {}
