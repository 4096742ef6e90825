/**
 * The organization role's shapes: what the program declares, the wire row and body (Logto's OpenAPI), expand
 * (inputs → request body) and flatten (row and its scopes → outputs).
 */
import type { Answer, RequestBody } from "../managementApi";
import { inDeclaredOrder } from "../lists";
import { nameAndDescriptionBody } from "../organizationFields";
import type { TemplateDeclared, TemplateRecorded } from "../organizationTemplate";

/** A role of the organization template, e.g. `admin`, with defaults filled. */
export interface OrganizationRoleInputs extends TemplateDeclared {
  /** The organization scopes (permissions) the role grants, by name. */
  scopes: string[];
}

export interface OrganizationRoleOutputs extends OrganizationRoleInputs, TemplateRecorded {
  roleId: string;
}

/** The role with the scopes it grants (as Logto lists roles, or as the stack knows them). */
export type OrganizationRoleRow = Pick<Answer<"/api/organization-roles/{id}", "GET">, "id" | "name" | "description"> & {
  scopes: ReadonlyArray<{ name: string }>;
};

/** `scopeIds`: the declared scopes' ids. */
export function requestBody(
  declared: OrganizationRoleInputs,
  scopeIds: string[],
): RequestBody<"/api/organization-roles", "POST"> {
  return { ...nameAndDescriptionBody(declared), organizationScopeIds: scopeIds, resourceScopeIds: [] };
}

/** The role's scopes kept in the declared order when they are the same. */
export function outputsFromRow(
  row: OrganizationRoleRow,
  recorded: TemplateRecorded,
  declared: Partial<OrganizationRoleInputs> | undefined,
): OrganizationRoleOutputs {
  const scopeNames = row.scopes.map((scope) => scope.name);
  return {
    name: row.name,
    description: row.description ?? "",
    scopes: inDeclaredOrder(scopeNames, declared?.scopes),
    endpoint: recorded.endpoint,
    roleId: row.id,
    ownership: recorded.ownership,
  };
}
