/**
 * The organization scope's shapes: what the program declares, the wire row (Logto's OpenAPI) and flatten (row →
 * outputs); its body is a named object's (organizationFields.ts nameAndDescriptionBody).
 */
import type { Answer } from "../managementApi";
import type { TemplateDeclared, TemplateRecorded } from "../organizationTemplate";

/** A permission of the organization template, e.g. `read:reports`: its name and description. */
export type OrganizationScopeInputs = TemplateDeclared;

export interface OrganizationScopeOutputs extends OrganizationScopeInputs, TemplateRecorded {
  scopeId: string;
}

export type OrganizationScopeRow = Answer<"/api/organization-scopes/{id}", "GET">;

export function outputsFromRow(row: OrganizationScopeRow, recorded: TemplateRecorded): OrganizationScopeOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    endpoint: recorded.endpoint,
    scopeId: row.id,
    ownership: recorded.ownership,
  };
}
