/**
 * The organization's shapes: what the program declares, the wire row (Logto's OpenAPI) and flatten (row →
 * outputs); its body is a named object's (organizationFields.ts nameAndDescriptionBody).
 */
import type { ManagementClient } from "../client";
import type { Answer } from "../managementApi";
import { type OnEndpoint, isPresent } from "../support";

/** What the program declares, with defaults filled. */
export interface OrganizationInputs extends OnEndpoint {
  /** The organization's display name; Logto does not keep names unique (test/logto-contract/04b). */
  name: string;
  description: string;
  /** The id of an existing organization to manage instead of creating one ("" for none). */
  adoptOrganizationId: string;
}

export interface OrganizationOutputs extends OrganizationInputs {
  organizationId: string;
  /** True when the stack took over an existing organization: destroy then only unlinks it. */
  adopted: boolean;
}

export type OrganizationRow = Answer<"/api/organizations/{id}", "GET">;

export async function getOrganization(client: ManagementClient, id: string, action: string): Promise<OrganizationRow> {
  return (await client.send({ method: "GET", path: "/api/organizations/{id}", params: { id }, action })).data;
}

export function organizationExists(client: ManagementClient, id: string, action: string): Promise<boolean> {
  return isPresent(client, { method: "GET", path: "/api/organizations/{id}", params: { id }, action });
}

export function label(name: string): string {
  return `organization "${name}"`;
}

export function outputsFromRow(
  row: Pick<OrganizationRow, "id" | "name" | "description">,
  recorded: OnEndpoint & Pick<OrganizationOutputs, "adoptOrganizationId" | "adopted">,
): OrganizationOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    adoptOrganizationId: recorded.adoptOrganizationId,
    endpoint: recorded.endpoint,
    organizationId: row.id,
    adopted: recorded.adopted,
  };
}
