/** The organization scope's check and diff: defaults, what Logto would refuse, which fields changed. */
import type * as pulumi from "@pulumi/pulumi";
import { configuredEndpoint } from "../support";
import { nameAndDescriptionFailures } from "../organizationFields";
import type { OrganizationScopeInputs, OrganizationScopeOutputs } from "./schema";

export function withDefaults(news: Partial<OrganizationScopeInputs>): OrganizationScopeInputs {
  return { ...news, name: news.name ?? "", description: news.description ?? "", endpoint: configuredEndpoint() };
}

export function checkFailures(news: OrganizationScopeInputs): pulumi.dynamic.CheckFailure[] {
  return nameAndDescriptionFailures(news, "organization scope");
}

type ScopeField = "name" | "description";

/** Only the name of a scope someone else made matters: its description is theirs. */
export function changedFields(olds: Partial<OrganizationScopeOutputs>, news: OrganizationScopeInputs): ScopeField[] {
  const changed: ScopeField[] = [];
  if (olds.name !== news.name) changed.push("name");
  if (olds.ownership !== "external" && (olds.description ?? "") !== news.description) changed.push("description");
  return changed;
}
