/** The application secret's shapes: what the program declares, the wire row, its id and name. */
import type { Answer } from "../managementApi";
import { OnEndpoint } from "../support";

export interface ApplicationSecretInputs extends OnEndpoint {
  applicationId: string;
  /** Unique per application; a new name is a new secret (rotation). */
  name: string;
  /** Delete Logto's "Default secret" first: true for an application this stack made, false for an adopted one. */
  removeDefaultSecret: boolean;
}

export interface ApplicationSecretOutputs extends ApplicationSecretInputs {
  /** The client secret (a secret output). */
  value: string;
}

export type SecretRow = Answer<"/api/applications/{id}/secrets", "POST">;

/** The name derived from a version, so a retried rotation finds its own earlier attempt. */
export function secretNameFor(secretVersion: string): string {
  return `pulumi-managed-${secretVersion}`;
}

export function label(inputs: Pick<ApplicationSecretInputs, "applicationId" | "name">): string {
  return `secret "${inputs.name}" of application ${inputs.applicationId}`;
}
