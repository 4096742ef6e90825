import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { SignInAudience } from "../connectionConfig";
import { SecretRotationWindow } from "../rotation";
import { oidcBaseScopes, resolveScopeIds } from "../scopes";

export interface EntraOidcAppArgs {
  /** Name of the app registration in the customer's tenant. */
  displayName: pulumi.Input<string>;
  /** The customer's tenant (directory) id; the issuer is derived from it. */
  tenantId: pulumi.Input<string>;
  /** Origin of the Entra login endpoint of the tenant's cloud, e.g. https://login.microsoftonline.com. */
  loginEndpoint: pulumi.Input<string>;
  /** Default AzureADMyOrg (single tenant). */
  signInAudience?: pulumi.Input<SignInAudience>;
  /** Microsoft Graph delegated permissions by name; openid, profile and email are always included. */
  graphScopes: pulumi.Input<string[]>;
  /**
   * Grant tenant-wide admin consent from the stack (default true). Turn off when the deployer is no
   * administrator of the tenant; `consentStatus` then says who must consent where. Plain: it decides whether
   * the consent grant exists.
   */
  adminConsent?: boolean;
  /** The client secret's rotation period; a new period replaces the secret. */
  secretRotation: SecretRotationWindow;
  /** Where config errors point to, e.g. `logto-entra-sso:connections[0].extraScopes`. */
  scopesField?: string;
  /**
   * Leave the app registration, its Graph access, service principal and consent in Entra when they leave the
   * stack (retainOnDelete), so that sign-in through it goes on; the client secret is deleted as ever. Default false.
   * Plain, as resource options are.
   */
  keepInEntra?: boolean;
}

const graphApi = "Microsoft Graph";

/**
 * An Entra ID app registration that Logto signs users in with over OIDC: Web platform, Microsoft Graph
 * delegated permissions resolved by name, a service principal, optional admin consent, and a rotating
 * client secret. The redirect URI is registered by the SSO connection, once Logto has made the connector.
 * The arguments are checked where they come from (the stack config), not here.
 */
export class EntraOidcApp extends pulumi.ComponentResource {
  public readonly registration: azuread.ApplicationRegistration;
  public readonly graphAccess: azuread.ApplicationApiAccess;
  public readonly servicePrincipal: azuread.ServicePrincipal;
  /** Absent when adminConsent is false. */
  public readonly adminConsent?: azuread.ServicePrincipalDelegatedPermissionGrant;
  public readonly password: azuread.ApplicationPassword;
  public readonly clientId: pulumi.Output<string>;
  /** Secret output. */
  public readonly clientSecret: pulumi.Output<string>;
  /** `{loginEndpoint}/{tenantId}/v2.0` (`organizations` for multi-tenant apps), as Logto needs it. */
  public readonly issuer: pulumi.Output<string>;
  /** Where a tenant administrator grants consent for the app (whether or not the stack grants it). */
  public readonly adminConsentUrl: pulumi.Output<string>;
  public readonly applicationObjectId: pulumi.Output<string>;
  public readonly servicePrincipalObjectId: pulumi.Output<string>;
  /** The Graph permission ids the scope names resolved to. */
  public readonly graphScopeIds: pulumi.Output<string[]>;
  public readonly secretExpiresAt: pulumi.Output<string>;
  /** Whether admin consent is granted by the stack, or who must grant it where. */
  public readonly consentStatus: pulumi.Output<string>;

  constructor(name: string, args: EntraOidcAppArgs, opts?: pulumi.ComponentResourceOptions) {
    super("logto-entra-sso:entra:EntraOidcApp", name, {}, opts);
    const scopeNames = pulumi
      .output(args.graphScopes)
      .apply((graphScopes) => [...new Set([...oidcBaseScopes, ...graphScopes])]);
    const signInAudience = args.signInAudience ?? "AzureADMyOrg";
    // Everything here lives in one tenant: another tenant id makes each anew there (and the old ones are deleted
    // by the old provider instance, last). The secret goes with the stack even when the registration is kept.
    const inTenant = { parent: this, replacementTrigger: args.tenantId };
    const kept = { ...inTenant, retainOnDelete: args.keepInEntra ?? false };

    this.registration = new azuread.ApplicationRegistration(
      `${name}-registration`,
      {
        displayName: args.displayName,
        signInAudience,
        notes: "Managed by Pulumi (logto-entra-sso): Logto enterprise SSO over OIDC.",
      },
      kept,
    );

    // Microsoft's own Graph principal is only looked up: creating or adopting it would make destroy try
    // to delete it.
    const published = azuread.getApplicationPublishedAppIdsOutput({ parent: this });
    const graphClientId = published.result.apply((ids) => {
      const id = ids["MicrosoftGraph"];
      if (!id) throw new Error(`EntraOidcApp "${name}": the tenant lists no published app id for MicrosoftGraph.`);
      return id;
    });
    const graph = azuread.getServicePrincipalOutput({ clientId: graphClientId }, { parent: this });
    this.graphScopeIds = pulumi.all([scopeNames, graph.oauth2PermissionScopes]).apply(([names, scopes]) =>
      resolveScopeIds(names, scopes, {
        api: graphApi,
        field: args.scopesField ?? `EntraOidcApp "${name}" graphScopes`,
      }),
    );

    this.graphAccess = new azuread.ApplicationApiAccess(
      `${name}-graph-access`,
      { applicationId: this.registration.id, apiClientId: graphClientId, scopeIds: this.graphScopeIds },
      kept,
    );
    this.servicePrincipal = new azuread.ServicePrincipal(
      `${name}-service-principal`,
      { clientId: this.registration.clientId },
      kept,
    );
    if (args.adminConsent ?? true) {
      this.adminConsent = new azuread.ServicePrincipalDelegatedPermissionGrant(
        `${name}-admin-consent`,
        {
          servicePrincipalObjectId: this.servicePrincipal.objectId,
          resourceServicePrincipalObjectId: graph.objectId,
          claimValues: scopeNames,
        },
        // Consent to what the registration requests, after it requests it.
        { ...kept, dependsOn: [this.graphAccess] },
      );
    }

    this.password = new azuread.ApplicationPassword(
      `${name}-secret`,
      {
        applicationId: this.registration.id,
        displayName: `Logto SSO (rotation period ${args.secretRotation.period})`,
        endDate: args.secretRotation.endDate,
        rotateWhenChanged: args.secretRotation.trigger,
      },
      // Replaced at every rotation, new one first (the default): never protected, or rotation would fail.
      { ...inTenant, protect: false, deleteBeforeReplace: false },
    );

    this.clientId = this.registration.clientId;
    this.clientSecret = pulumi.secret(this.password.value);
    this.issuer = pulumi
      .all([args.loginEndpoint, args.tenantId, signInAudience])
      .apply(([loginEndpoint, tenantId, audience]) => entraIssuer(loginEndpoint, tenantId, audience));
    this.adminConsentUrl = pulumi
      .all([args.loginEndpoint, args.tenantId, this.registration.clientId])
      .apply(([loginEndpoint, tenantId, clientId]) => adminConsentUrl(loginEndpoint, tenantId, clientId));
    this.applicationObjectId = this.registration.objectId;
    this.servicePrincipalObjectId = this.servicePrincipal.objectId;
    this.secretExpiresAt = this.password.endDate;
    const scopeList = scopeNames.apply((names) => names.join(" "));
    this.consentStatus =
      (args.adminConsent ?? true)
        ? pulumi.interpolate`granted by this stack (tenant-wide, delegated: ${scopeList})`
        : pulumi.interpolate`pending: an administrator of tenant ${args.tenantId} (Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator) must grant admin consent for ${scopeList}: open ${this.adminConsentUrl} or Entra admin center > App registrations > ${args.displayName} > API permissions > Grant admin consent.`;

    this.registerOutputs({
      clientId: this.clientId,
      clientSecret: this.clientSecret,
      issuer: this.issuer,
      adminConsentUrl: this.adminConsentUrl,
      applicationObjectId: this.applicationObjectId,
      servicePrincipalObjectId: this.servicePrincipalObjectId,
      graphScopeIds: this.graphScopeIds,
      secretExpiresAt: this.secretExpiresAt,
      consentStatus: this.consentStatus,
    });
  }
}

/**
 * The issuer Logto fetches discovery from. A multi-tenant app signs in users of many tenants: Entra's
 * `organizations` document names the issuer `{loginEndpoint}/{tenantid}/v2.0`, and Logto's AzureAdOidc
 * connector fills the placeholder in from the ID token's `tid` (logto-io/logto
 * packages/core/src/sso/AzureOidcSsoConnector/index.ts).
 */
export function entraIssuer(loginEndpoint: string, tenantId: string, audience: SignInAudience): string {
  return `${loginEndpoint}/${audience === "AzureADMultipleOrgs" ? "organizations" : tenantId}/v2.0`;
}

/** Entra's admin-consent endpoint for one tenant and one app. */
export function adminConsentUrl(loginEndpoint: string, tenantId: string, clientId: string): string {
  return `${loginEndpoint}/${tenantId}/adminconsent?client_id=${encodeURIComponent(clientId)}`;
}
