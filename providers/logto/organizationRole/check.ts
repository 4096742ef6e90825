/** The organization role's check and diff: defaults, what Logto would refuse, which fields changed. */
import type * as pulumi from "@pulumi/pulumi";
import {
  duplicateFailures,
  nameAndDescriptionChanges,
  nameAndDescriptionFailures,
  namedDefaults,
} from "../organizationFields";
import { sameStringSet } from "../support";
import type { OrganizationRoleInputs, OrganizationRoleOutputs } from "./schema";

export function withDefaults(news: Partial<OrganizationRoleInputs>): OrganizationRoleInputs {
  return { ...namedDefaults(news), scopes: news.scopes ?? [] };
}

export function checkFailures(news: OrganizationRoleInputs): pulumi.dynamic.CheckFailure[] {
  return [...nameAndDescriptionFailures(news, "organization role"), ...duplicateFailures("scopes", news.scopes)];
}

/** Only the name of a role someone else made matters: its description and scopes are theirs. */
export function changedFields(
  olds: Partial<OrganizationRoleOutputs>,
  news: OrganizationRoleInputs,
): Array<"name" | "description" | "scopes"> {
  const changed = nameAndDescriptionChanges(olds, news);
  const scopesChanged = olds.ownership !== "external" && !sameStringSet(olds.scopes ?? [], news.scopes);
  return scopesChanged ? [...changed, "scopes"] : changed;
}
