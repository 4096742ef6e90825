import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { organizationGuardProvider } from "./provider";
import type { GuardedOrganization } from "./schema";

/** One organization for the guard: its resource id and `adopted` output, so the guard comes after it. */
export type GuardedOrganizationArgs = { [K in keyof GuardedOrganization]: pulumi.Input<GuardedOrganization[K]> };

export interface OrganizationGuardArgs {
  /** Each organization the stack holds. */
  organizations: GuardedOrganizationArgs[];
}

/**
 * The record of the stack's organizations and whether removing each deletes it. Declare it after the
 * organizations (it depends on them): a preview then says, for each organization a change removes, whether it is
 * deleted or kept and how many members it has; `pulumi destroy` says it when it deletes the guard, first.
 */
export class OrganizationGuard extends logtoResourceClass<
  OrganizationGuardArgs,
  { organizations: GuardedOrganization[] }
>(organizationGuardProvider, "OrganizationGuard", (args) => ({ organizations: args.organizations })) {}
