import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { applicationSecretProvider } from "./provider";
import type { ApplicationSecretOutputs } from "./schema";

export interface ApplicationSecretArgs {
  applicationId: pulumi.Input<string>;
  /** Change it (e.g. secretNameFor(version)) to rotate: a new secret, then the dependants, then the old one goes. */
  name: pulumi.Input<string>;
  /** Delete Logto's "Default secret" of the application first. Default false; true for apps the stack made. */
  removeDefaultSecret?: pulumi.Input<boolean>;
}

/**
 * One client secret of a Logto application. Rotation is a create-before-delete replacement, as with azuread's
 * ApplicationPassword: whatever uses `value` (the sample app container) is updated before the old secret is
 * deleted. The defaults are filled by check (check.ts).
 */
export class ApplicationSecret extends logtoResourceClass<
  ApplicationSecretArgs,
  Pick<ApplicationSecretOutputs, "value" | "name" | "applicationId">
>(applicationSecretProvider, "ApplicationSecret", (args) => ({ ...args }), {
  outputs: ["endpoint", "value"],
  secretOutputs: ["value"],
}) {}
