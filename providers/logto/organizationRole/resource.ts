import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { organizationRoleProvider } from "./provider";
import type { OrganizationRoleOutputs } from "./schema";

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
export class OrganizationRole extends logtoResourceClass<
  OrganizationRoleArgs,
  Pick<OrganizationRoleOutputs, "roleId" | "name" | "scopes" | "ownership">
>(
  organizationRoleProvider,
  "OrganizationRole",
  (args) => ({ name: args.name, description: args.description ?? "", scopes: args.scopes ?? [] }),
  { outputs: ["endpoint", "roleId", "ownership"] },
) {}
