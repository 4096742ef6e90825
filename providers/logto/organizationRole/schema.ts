/**
 * The organization role's shapes: what the program declares, the wire row and body (Logto's OpenAPI), expand
 * (inputs → request body) and flatten (row and its scopes → outputs).
 */
import type { Answer, RequestBody } from "../managementApi";
import type { TemplateOwnership } from "../organizationTemplate";
import { inDeclaredOrder } from "../lists";
import type { OnEndpoint } from "../support";

/** What the program declares, with defaults filled. */
export interface OrganizationRoleDeclared {
  /** The role's name, e.g. `admin`; unique in the tenant. */
  name: string;
  description: string;
  /** The organization scopes (permissions) the role grants, by name. */
  scopes: string[];
}

export interface OrganizationRoleInputs extends OrganizationRoleDeclared, OnEndpoint {}

export interface OrganizationRoleOutputs extends OrganizationRoleInputs {
  roleId: string;
  /** Made by this stack, or used as another stack or the console made it (never changed or deleted then). */
  ownership: TemplateOwnership;
}

export type OrganizationRoleRow = Answer<"/api/organization-roles/{id}", "GET">;
export type OrganizationRoleBody = RequestBody<"/api/organization-roles", "POST">;

export function label(name: string): string {
  return `organization role "${name}"`;
}

/** An empty description is none (Logto keeps null). `scopeIds`: the declared scopes' ids. */
export function requestBody(declared: OrganizationRoleDeclared, scopeIds: string[]): OrganizationRoleBody {
  return {
    name: declared.name,
    description: declared.description === "" ? null : declared.description,
    organizationScopeIds: scopeIds,
    resourceScopeIds: [],
  };
}

/** `scopeNames`: the role's scopes as Logto lists them; kept in the declared order when they are the same. */
export function outputsFromRow(
  row: Pick<OrganizationRoleRow, "id" | "name" | "description">,
  scopeNames: string[],
  recorded: OnEndpoint & { ownership: TemplateOwnership; scopes?: string[] },
): OrganizationRoleOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    scopes: inDeclaredOrder(scopeNames, recorded.scopes),
    endpoint: recorded.endpoint,
    roleId: row.id,
    ownership: recorded.ownership,
  };
}
