import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { signInExperienceSsoProvider } from "./provider";

export interface SignInExperienceSsoArgs {
  /** Default true. */
  enabled?: pulumi.Input<boolean>;
}

/**
 * The "Enterprise SSO" switch of the tenant's sign-in experience. It is tenant-wide: deleting the resource
 * turns it off only when no enterprise SSO connector is left in the tenant (declare the stack's connectors
 * with `dependsOn` this switch, so they go first). Not declaring it leaves the switch alone.
 */
export class SignInExperienceSso extends ReferencedDynamicResource {
  declare public readonly enabled: pulumi.Output<boolean>;
  declare public readonly endpoint: pulumi.Output<string>;

  constructor(name: string, args: SignInExperienceSsoArgs = {}, opts?: pulumi.CustomResourceOptions) {
    super(
      signInExperienceSsoProvider,
      name,
      // The default (true) and logto:endpoint are filled by check (check.ts).
      { enabled: args.enabled, endpoint: undefined },
      opts,
      "logto",
      "SignInExperienceSso",
    );
  }
}
