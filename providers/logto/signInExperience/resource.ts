import type * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { signInExperienceSsoProvider } from "./provider";
import type { SignInExperienceSsoOutputs } from "./schema";

export interface SignInExperienceSsoArgs {
  /** Default true (filled by check, check.ts). */
  enabled?: pulumi.Input<boolean>;
}

/**
 * The "Enterprise SSO" switch of the tenant's sign-in experience. It is tenant-wide: deleting the resource
 * turns it off only when no enterprise SSO connector is left in the tenant (declare the stack's connectors
 * with `dependsOn` this switch, so they go first). Not declaring it leaves the switch alone.
 */
export class SignInExperienceSso extends logtoResourceClass<SignInExperienceSsoArgs, SignInExperienceSsoOutputs>(
  signInExperienceSsoProvider,
  "SignInExperienceSso",
  (args) => ({ enabled: args.enabled }),
  { outputs: ["endpoint"] },
) {}
