/** The organization's check and diff: defaults, what Logto would refuse, which fields changed. */
import type * as pulumi from "@pulumi/pulumi";
import { nameAndDescriptionFailures } from "../organizationFields";
import { configuredEndpoint } from "../support";
import type { OrganizationInputs, OrganizationOutputs } from "./schema";

export function withDefaults(news: Partial<OrganizationInputs>): OrganizationInputs {
  return {
    ...news,
    name: news.name ?? "",
    description: news.description ?? "",
    adoptOrganizationId: news.adoptOrganizationId ?? "",
    endpoint: configuredEndpoint(),
  };
}

export function checkFailures(news: OrganizationInputs): pulumi.dynamic.CheckFailure[] {
  return nameAndDescriptionFailures(news, "organization");
}

type OrganizationField = "name" | "description";

export function changedFields(olds: Partial<OrganizationOutputs>, news: OrganizationInputs): OrganizationField[] {
  const changed: OrganizationField[] = [];
  if (olds.name !== news.name) changed.push("name");
  if ((olds.description ?? "") !== news.description) changed.push("description");
  return changed;
}

/**
 * Adoption names another organization than the one the state holds: the only change that replaces an
 * organization (an id given later for the one already managed changes nothing).
 */
export function adoptsAnother(olds: Partial<OrganizationOutputs>, news: OrganizationInputs): boolean {
  return news.adoptOrganizationId !== "" && olds.organizationId !== news.adoptOrganizationId;
}
