import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { announceAdoption } from "../support";
import { applicationProvider } from "./provider";

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

/** A Logto "Traditional web" application; its client secrets are ApplicationSecret resources. */
export class Application extends ReferencedDynamicResource {
  declare public readonly applicationId: pulumi.Output<string>;
  declare public readonly redirectUris: pulumi.Output<string[]>;
  declare public readonly postLogoutRedirectUris: pulumi.Output<string[]>;
  declare public readonly endpoint: pulumi.Output<string>;
  /** True when the stack took over an existing application (it then keeps its other secrets). */
  declare public readonly adopted: pulumi.Output<boolean>;

  constructor(name: string, args: ApplicationArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      applicationProvider,
      name,
      {
        ...args,
        // Filled by check: the defaults (check.ts, withDefaults) and logto:endpoint.
        endpoint: undefined,
        adopted: undefined,
        applicationId: undefined,
        type: undefined,
      },
      opts,
      "logto",
      "Application",
    );
    announceAdoption(`application ${name}`, args);
  }
}
