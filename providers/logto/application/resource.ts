import * as pulumi from "@pulumi/pulumi";
import { logtoResourceClass } from "../logtoResource";
import { announceAdoption } from "../support";
import { applicationProvider } from "./provider";
import type { ApplicationOutputs } from "./schema";

export interface ApplicationArgs {
  name: pulumi.Input<string>;
  description?: pulumi.Input<string>;
  redirectUris: pulumi.Input<pulumi.Input<string>[]>;
  postLogoutRedirectUris: pulumi.Input<pulumi.Input<string>[]>;
  corsAllowedOrigins?: pulumi.Input<pulumi.Input<string>[]>;
  /** Take over a Traditional application that already has this name instead of creating another. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Delete an adopted application on destroy too. Default false: it was not this stack's to delete. */
  deleteAdoptedOnDestroy?: pulumi.Input<boolean>;
}

/**
 * A Logto "Traditional web" application; its client secrets are ApplicationSecret resources. `adopted`: the stack
 * took over an existing application (it then keeps its other secrets). The defaults are filled by check (check.ts).
 */
export class Application extends logtoResourceClass<
  ApplicationArgs,
  Pick<ApplicationOutputs, "applicationId" | "redirectUris" | "postLogoutRedirectUris" | "endpoint" | "adopted">
>(applicationProvider, "Application", (args) => ({ ...args }), {
  outputs: ["endpoint", "adopted", "applicationId", "type"],
}) {
  constructor(name: string, args: ApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(name, args, opts);
    announceAdoption(`application ${name}`, args);
  }
}
