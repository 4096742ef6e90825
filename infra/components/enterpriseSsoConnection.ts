import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { ClientOwnership, SsoConnector, SsoConnectorBranding } from "../../providers/logto";
import { callbackUriFor } from "../../providers/logto/publicOrigin";
import { connectorScopes } from "../scopes";

export interface EnterpriseSsoConnectionArgs {
  /** Connector name in Logto, unique in the tenant. */
  connectorName: pulumi.Input<string>;
  /** The Entra application (client) id. */
  clientId: pulumi.Input<string>;
  /** The Entra client secret; kept secret. */
  clientSecret: pulumi.Input<string>;
  /** `https://login.microsoftonline.com/{tenantId}/v2.0` (no trailing slash). */
  issuer: pulumi.Input<string>;
  /** Email domains routed to this IdP (lowercase, no public mail domains). */
  domains: pulumi.Input<pulumi.Input<string>[]>;
  /**
   * Scopes besides openid, profile and email, e.g. User.Read. Plain, as tokenStorage: together they decide
   * whether the connector has a scope at all.
   */
  scopes?: string[];
  /** Let Logto keep the IdP's access and refresh tokens; adds offline_access to the scopes. Default false. */
  tokenStorage?: boolean;
  branding?: pulumi.Input<SsoConnectorBranding>;
  /** Update the Logto profile from the IdP at every sign-in, not only the first. Default false. */
  syncProfile?: pulumi.Input<boolean>;
  /**
   * Treat the IdP's email addresses as verified. Default false: Entra sends no `email_verified`, and in
   * some tenants users can edit their email claim, so trusting it could hand one user another's account.
   */
  trustUnverifiedEmail?: pulumi.Input<boolean>;
  /**
   * Apply a change that cuts every user's link to their Logto account (a new connector, issuer or client id);
   * the connector refuses it otherwise. Default false.
   */
  allowUserRelink?: pulumi.Input<boolean>;
  /**
   * Who made the app registration: `stack` (deleted when the stack stops managing it), `stack-kept` (left in
   * Entra then, the redirect URI on it included) or `external` (the default). Plain: it decides whether the
   * redirect URIs outlive the stack (retainOnDelete).
   */
  clientOwnership?: ClientOwnership;
  /**
   * Object id of the Entra app registration. When given, the connector's callback URI is registered on
   * it as a Web redirect URI (needs the azuread provider); when absent the URI is only an output.
   */
  entraApplicationObjectId?: pulumi.Input<string>;
}

/**
 * A Logto enterprise SSO connector for Microsoft Entra ID (OIDC) and, when the app registration is known,
 * the Web redirect URI on the Entra side that points back at the connector's callback. The arguments are
 * checked where they come from (the stack config) and by the connector's own check, not here.
 */
export class EnterpriseSsoConnection extends pulumi.ComponentResource {
  public readonly connector: SsoConnector;
  /** The connector's callback URIs on the Entra app registration; absent without entraApplicationObjectId. */
  public readonly redirectUris?: azuread.ApplicationRedirectUris;
  public readonly connectorId: pulumi.Output<string>;
  /** `{Logto public origin}/callback/{connectorId}`: the redirect URI the IdP must allow. */
  public readonly callbackUri: pulumi.Output<string>;
  /**
   * The connector's callback URIs under the origins Logto answered at before (a move in progress), which the IdP
   * must keep allowing until they are retired (logto:retiredOrigins).
   */
  public readonly formerCallbackUris: pulumi.Output<string[]>;
  public readonly connectorName: pulumi.Output<string>;
  /** The extra scopes the connector requests (space separated). */
  public readonly scope: pulumi.Output<string>;

  constructor(name: string, args: EnterpriseSsoConnectionArgs, opts?: pulumi.ComponentResourceOptions) {
    super("logto-entra-sso:logto:EnterpriseSsoConnection", name, {}, opts);
    const tokenStorage = args.tokenStorage ?? false;
    const scope = connectorScopes(args.scopes ?? [], tokenStorage).join(" ");

    const connector = new SsoConnector(
      `${name}-connector`,
      {
        providerName: "AzureAdOidc",
        connectorName: args.connectorName,
        config: {
          clientId: args.clientId,
          clientSecret: args.clientSecret,
          issuer: args.issuer,
          ...(scope ? { scope } : {}),
          trustUnverifiedEmail: args.trustUnverifiedEmail ?? false,
        },
        domains: args.domains,
        branding: args.branding ?? {},
        syncProfile: args.syncProfile ?? false,
        enableTokenStorage: tokenStorage,
        allowUserRelink: args.allowUserRelink ?? false,
        clientOwnership: args.clientOwnership ?? "external",
      },
      // A component's dependsOn does not reach its children: the connector itself must wait (for the
      // sign-in switch, so that destroy deletes the connector before the switch looks for connectors left).
      { parent: this, dependsOn: opts?.dependsOn },
    );

    // From the connector's id, which an update never changes, and the origins its check recorded (inputs, so a
    // preview of a connector update knows them): the Entra redirect URIs change only when an origin does.
    const callbackUri = pulumi
      .all([connector.publicOrigin, connector.id])
      .apply(([origin, id]) => callbackUriFor(origin, id));
    const formerCallbackUris = pulumi
      .all([connector.formerPublicOrigins, connector.id])
      .apply(([origins, id]) => (origins ?? []).map((origin) => callbackUriFor(origin, id)));
    if (args.entraApplicationObjectId !== undefined) {
      this.redirectUris = new azuread.ApplicationRedirectUris(
        `${name}-redirect-uris`,
        {
          applicationId: pulumi.interpolate`/applications/${args.entraApplicationObjectId}`,
          type: "Web",
          // During a move of Logto's public origin both, so that no sign-in fails whichever origin it starts at.
          redirectUris: pulumi
            .all([callbackUri, formerCallbackUris])
            .apply(([current, former]) => [current, ...former]),
        },
        // Sign-in through a kept app registration needs its redirect URI after the stack lets go of it.
        { parent: this, retainOnDelete: args.clientOwnership === "stack-kept" },
      );
    }

    this.connector = connector;
    // The resource id is the connector's Logto id, and a preview of a connector update knows it (the connectorId
    // output is unknown until the update is done): what follows the connector (its organization's JIT link) then
    // previews no change it will not make.
    this.connectorId = connector.id;
    this.callbackUri = callbackUri;
    this.formerCallbackUris = formerCallbackUris;
    this.connectorName = connector.connectorName;
    this.scope = pulumi.output(scope);
    this.registerOutputs({
      connectorId: this.connectorId,
      callbackUri: this.callbackUri,
      formerCallbackUris: this.formerCallbackUris,
      connectorName: this.connectorName,
      scope: this.scope,
    });
  }
}
