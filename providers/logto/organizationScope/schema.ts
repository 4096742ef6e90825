/**
 * The organization scope's shapes: what the program declares, the wire row and body (Logto's OpenAPI), expand
 * (inputs → request body) and flatten (row → outputs).
 */
import type { Answer, RequestBody } from "../managementApi";
import type { TemplateOwnership } from "../organizationTemplate";
import type { OnEndpoint } from "../support";

/** What the program declares, with defaults filled. */
export interface OrganizationScopeDeclared {
  /** A permission of the organization template, e.g. `read:reports`; unique in the tenant. */
  name: string;
  description: string;
}

export interface OrganizationScopeInputs extends OrganizationScopeDeclared, OnEndpoint {}

export interface OrganizationScopeOutputs extends OrganizationScopeInputs {
  scopeId: string;
  /** Made by this stack, or used as another stack or the console made it (never changed or deleted then). */
  ownership: TemplateOwnership;
}

export type OrganizationScopeRow = Answer<"/api/organization-scopes/{id}", "GET">;
export type OrganizationScopeBody = RequestBody<"/api/organization-scopes", "POST">;

export function label(name: string): string {
  return `organization scope "${name}"`;
}

/** An empty description is none (Logto keeps null). */
export function requestBody(declared: OrganizationScopeDeclared): OrganizationScopeBody {
  return { name: declared.name, description: declared.description === "" ? null : declared.description };
}

export function outputsFromRow(
  row: OrganizationScopeRow,
  recorded: OnEndpoint & { ownership: TemplateOwnership },
): OrganizationScopeOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    endpoint: recorded.endpoint,
    scopeId: row.id,
    ownership: recorded.ownership,
  };
}
