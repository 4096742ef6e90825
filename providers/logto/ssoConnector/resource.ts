import * as pulumi from "@pulumi/pulumi";
import { ReferencedDynamicResource } from "../referencedResource";
import { announceAdoption } from "../support";
import { ssoConnectorProvider } from "./provider";
import type { ClientOwnership, OidcSsoProviderName, SsoConnectorBranding } from "./schema";

export interface SsoConnectorConfigArgs {
  clientId: pulumi.Input<string>;
  clientSecret: pulumi.Input<string>;
  issuer: pulumi.Input<string>;
  /** Extra scopes, space separated (openid, profile and email are always requested by Logto). */
  scope?: pulumi.Input<string>;
  /** Mark IdP e-mail addresses as verified although the IdP sends no `email_verified`. Default false. */
  trustUnverifiedEmail?: pulumi.Input<boolean>;
}

export interface SsoConnectorArgs {
  providerName?: pulumi.Input<OidcSsoProviderName>;
  connectorName: pulumi.Input<string>;
  config: SsoConnectorConfigArgs;
  domains?: pulumi.Input<pulumi.Input<string>[]>;
  branding?: pulumi.Input<SsoConnectorBranding>;
  syncProfile?: pulumi.Input<boolean>;
  enableTokenStorage?: pulumi.Input<boolean>;
  /** Take over a connector that already has this name instead of failing on Logto's 409. */
  adoptExisting?: pulumi.Input<boolean>;
  /** Delete an adopted connector on destroy too. Default false: it was not this stack's to delete. */
  deleteAdoptedOnDestroy?: pulumi.Input<boolean>;
  /**
   * Accept a change that cuts every user's link to their Logto account (a replacement, a new issuer or client
   * id); refused otherwise. Default false.
   */
  allowUserRelink?: pulumi.Input<boolean>;
  /** Who made the IdP client the connector signs in with. Default `external`. */
  clientOwnership?: pulumi.Input<ClientOwnership>;
}

/** A Logto enterprise SSO connector managed through the Management API. */
export class SsoConnector extends ReferencedDynamicResource {
  declare public readonly connectorName: pulumi.Output<string>;
  declare public readonly publicOrigin: pulumi.Output<string>;
  declare public readonly formerPublicOrigins: pulumi.Output<string[]>;

  constructor(name: string, args: SsoConnectorArgs, opts?: pulumi.CustomResourceOptions) {
    super(
      ssoConnectorProvider,
      name,
      {
        ...args,
        // Secret whatever the caller passed: the engine then keeps the stored copy encrypted too.
        config: { ...args.config, clientSecret: pulumi.secret(args.config.clientSecret) },
        // Filled by check from the discovery document at logto:endpoint; the component builds callback URIs of them.
        publicOrigin: undefined,
        formerPublicOrigins: undefined,
      },
      // The whole config (client secret included) is secret by this declaration, not by the engine's copy
      // of the input's secretness.
      pulumi.mergeOptions(opts, { additionalSecretOutputs: ["config"] }),
      "logto",
      "SsoConnector",
    );
    announceAdoption(`SSO connector ${name}`, args);
  }
}
