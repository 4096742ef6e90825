/**
 * The organization scope's shapes: what the program declares, the wire row and body (Logto's OpenAPI), expand
 * (inputs → request body) and flatten (row → outputs).
 */
import type { Answer, RequestBody } from "../managementApi";
import { nameAndDescriptionBody } from "../organizationFields";
import type { TemplateDeclared, TemplateRecorded } from "../organizationTemplate";

/** A permission of the organization template, e.g. `read:reports`: its name and description. */
export type OrganizationScopeInputs = TemplateDeclared;

export interface OrganizationScopeOutputs extends OrganizationScopeInputs, TemplateRecorded {
  scopeId: string;
}

export type OrganizationScopeRow = Answer<"/api/organization-scopes/{id}", "GET">;

export function requestBody(declared: OrganizationScopeInputs): RequestBody<"/api/organization-scopes", "POST"> {
  return nameAndDescriptionBody(declared);
}

export function outputsFromRow(row: OrganizationScopeRow, recorded: TemplateRecorded): OrganizationScopeOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    endpoint: recorded.endpoint,
    scopeId: row.id,
    ownership: recorded.ownership,
  };
}
