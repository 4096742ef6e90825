/**
 * The application's shapes: what the program declares, the wire row (Logto's OpenAPI), expand (inputs → the
 * OIDC metadata sent) and flatten (row → outputs), as in terraform-provider-auth0's connection/{expand,flatten}.go.
 */
import type { ManagementClient } from "../client";
import type { Answer } from "../managementApi";
import { Adoptable, AdoptionOutputs, OnEndpoint, Recorded } from "../support";

export interface ApplicationInputs extends Adoptable, OnEndpoint {
  name: string;
  description: string;
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  corsAllowedOrigins: string[];
}

/** The application's client secrets are ApplicationSecret resources (issue 11, item 1). */
export interface ApplicationOutputs extends ApplicationInputs, AdoptionOutputs {
  applicationId: string;
  type: "Traditional";
}

/**
 * Logto replaces `oidcClientMetadata` whole on PATCH; besides the URI lists it holds what the console sets
 * (back-channel logout, logo).
 */
export type ApplicationRow = Answer<"/api/applications", "GET">[number];

export function label(name: string): string {
  return `application "${name}"`;
}

export function outputsFrom(row: ApplicationRow, recorded: Recorded): ApplicationOutputs {
  return {
    name: row.name,
    description: row.description ?? "",
    redirectUris: row.oidcClientMetadata?.redirectUris ?? [],
    postLogoutRedirectUris: row.oidcClientMetadata?.postLogoutRedirectUris ?? [],
    corsAllowedOrigins: row.customClientMetadata?.corsAllowedOrigins ?? [],
    adoptExisting: recorded.adoptExisting,
    deleteAdoptedOnDestroy: recorded.deleteAdoptedOnDestroy,
    endpoint: recorded.endpoint,
    adopted: recorded.adopted,
    applicationId: row.id,
    type: "Traditional",
  };
}

/** The declared URI lists over the live metadata: Logto replaces it whole, so what the console set is sent back. */
export function metadataBody(inputs: ApplicationInputs, live?: ApplicationRow) {
  return {
    ...live?.oidcClientMetadata,
    redirectUris: inputs.redirectUris,
    postLogoutRedirectUris: inputs.postLogoutRedirectUris,
  };
}

export async function getApplication(client: ManagementClient, id: string, action: string): Promise<ApplicationRow> {
  return (await client.send({ method: "GET", path: "/api/applications/{id}", params: { id }, action })).data;
}
