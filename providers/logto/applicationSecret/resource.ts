import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { applicationSecretProvider } from "./provider";

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
 * deleted.
 */
export class ApplicationSecret extends ReferencedDynamicResource {
  declare public readonly value: pulumi.Output<string>;
  declare public readonly name: pulumi.Output<string>;
  declare public readonly applicationId: pulumi.Output<string>;

  constructor(name: string, args: ApplicationSecretArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      applicationSecretProvider,
      name,
      // The defaults and logto:endpoint are filled by check (check.ts).
      { ...args, endpoint: undefined, value: undefined },
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["value"] }),
      "logto",
      "ApplicationSecret",
    );
  }
}
