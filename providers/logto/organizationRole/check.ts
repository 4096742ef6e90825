/** The organization role's check and diff: defaults, what Logto would refuse, which fields changed. */
import type * as pulumi from "@pulumi/pulumi";
import { duplicateFailures, nameAndDescriptionFailures } from "../organizationFields";
import { configuredEndpoint, sameStringSet } from "../support";
import type { OrganizationRoleInputs, OrganizationRoleOutputs } from "./schema";

export function withDefaults(news: Partial<OrganizationRoleInputs>): OrganizationRoleInputs {
  return {
    ...news,
    name: news.name ?? "",
    description: news.description ?? "",
    scopes: news.scopes ?? [],
    endpoint: configuredEndpoint(),
  };
}

export function checkFailures(news: OrganizationRoleInputs): pulumi.dynamic.CheckFailure[] {
  return [...nameAndDescriptionFailures(news, "organization role"), ...duplicateFailures("scopes", news.scopes)];
}

type RoleField = "name" | "description" | "scopes";

/** Only the name of a role someone else made matters: its description and scopes are theirs. */
export function changedFields(olds: Partial<OrganizationRoleOutputs>, news: OrganizationRoleInputs): RoleField[] {
  const changed: RoleField[] = [];
  if (olds.name !== news.name) changed.push("name");
  if (olds.ownership === "external") return changed;
  if ((olds.description ?? "") !== news.description) changed.push("description");
  if (!sameStringSet(olds.scopes ?? [], news.scopes)) changed.push("scopes");
  return changed;
}
