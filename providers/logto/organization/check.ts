/** The organization's check and diff: defaults, what Logto would refuse, which fields changed. */
import type * as pulumi from "@pulumi/pulumi";
import { nameAndDescriptionChanges, nameAndDescriptionFailures, namedDefaults } from "../organizationFields";
import type { OrganizationInputs, OrganizationOutputs } from "./schema";

export function withDefaults(news: Partial<OrganizationInputs>): OrganizationInputs {
  return { ...namedDefaults(news), adoptOrganizationId: news.adoptOrganizationId ?? "" };
}

export function checkFailures(news: OrganizationInputs): pulumi.dynamic.CheckFailure[] {
  return nameAndDescriptionFailures(news, "organization");
}

export const changedFields = nameAndDescriptionChanges;

/**
 * Adoption names another organization than the one the state holds: the only change that replaces an
 * organization (an id given later for the one already managed changes nothing).
 */
export function adoptsAnother(olds: Partial<OrganizationOutputs>, news: OrganizationInputs): boolean {
  return news.adoptOrganizationId !== "" && olds.organizationId !== news.adoptOrganizationId;
}
