import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { organizationProvider } from "./provider";
import type { OrganizationOutputs } from "./schema";

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
export class Organization extends logtoResourceClass<
  OrganizationArgs,
  Pick<OrganizationOutputs, "organizationId" | "name" | "adopted">
>(
  organizationProvider,
  "Organization",
  (args) => ({
    name: args.name,
    description: args.description ?? "",
    adoptOrganizationId: args.adoptOrganizationId ?? "",
  }),
  { outputs: ["endpoint", "organizationId", "adopted"] },
) {}
