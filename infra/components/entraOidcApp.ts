import * as azuread from "@pulumi/azuread";
import * as pulumi from "@pulumi/pulumi";
import { SignInAudience, signInAudiences } from "../connectionConfig";
import { urlProblems } from "../../providers/logto/validation";
import { SecretRotationWindow } from "../rotation";
import { oidcBaseScopes, resolveScopeIds } from "../scopes";

export interface EntraOidcAppArgs {
  /** Name of the app registration in the customer's tenant. */
  displayName: string;
  /** The customer's tenant (directory) id; the issuer is derived from it. */
  tenantId: string;
  /** Origin of the Entra login endpoint of the tenant's cloud, e.g. https://login.microsoftonline.com. */
  loginEndpoint: string;
  /** Default AzureADMyOrg (single tenant). */
  signInAudience?: SignInAudience;
  /** Microsoft Graph delegated permissions by name; openid, profile and email are always included. */
  graphScopes: string[];
  /**
   * Grant tenant-wide admin consent from the stack (default true). Turn off when the deployer is no
   * administrator of the tenant; `consentStatus` then says who must consent where.
   */
  adminConsent?: boolean;
  /** The client secret's rotation period; a new period replaces the secret. */
  secretRotation: SecretRotationWindow;
  /** Where config errors point to, e.g. `logto-entra-sso:connections[0].extraScopes`. */
  scopesField?: string;
  /**
   * Leave the app registration, its Graph access, service principal and consent in Entra when they leave the
   * stack (retainOnDelete), so that sign-in through it goes on; the client secret is deleted as ever. Default false.
   */
  keepInEntra?: boolean;
}

const tenantIdPattern = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const graphApi = "Microsoft Graph";

/**
 * An Entra ID app registration that Logto signs users in with over OIDC: Web platform, Microsoft Graph
 * delegated permissions resolved by name, a service principal, optional admin consent, and a rotating
 * client secret. The redirect URI is registered by the SSO connection, once Logto has made the connector.
 */
export class EntraOidcApp extends pulumi.ComponentResource {
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
    const problems = argumentProblems(args);
    if (problems.length > 0) throw new Error(`EntraOidcApp "${name}": ${problems.join(" ")}`);
    const scopeNames = [...new Set([...oidcBaseScopes, ...args.graphScopes])];
    // Everything here lives in one tenant: another tenant id makes each anew there (and the old ones are deleted
    // by the old provider instance, last). The secret goes with the stack even when the registration is kept.
    const inTenant = { parent: this, replacementTrigger: args.tenantId };
    const kept = { ...inTenant, retainOnDelete: args.keepInEntra ?? false };

    const registration = new azuread.ApplicationRegistration(
      `${name}-registration`,
      {
        displayName: args.displayName,
        signInAudience: args.signInAudience ?? "AzureADMyOrg",
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
    this.graphScopeIds = graph.oauth2PermissionScopes.apply((scopes) =>
      resolveScopeIds(scopeNames, scopes, {
        api: graphApi,
        field: args.scopesField ?? `EntraOidcApp "${name}" graphScopes`,
      }),
    );

    const apiAccess = new azuread.ApplicationApiAccess(
      `${name}-graph-access`,
      { applicationId: registration.id, apiClientId: graphClientId, scopeIds: this.graphScopeIds },
      kept,
    );
    const servicePrincipal = new azuread.ServicePrincipal(
      `${name}-service-principal`,
      { clientId: registration.clientId },
      kept,
    );
    if (args.adminConsent ?? true) {
      new azuread.ServicePrincipalDelegatedPermissionGrant(
        `${name}-admin-consent`,
        {
          servicePrincipalObjectId: servicePrincipal.objectId,
          resourceServicePrincipalObjectId: graph.objectId,
          claimValues: scopeNames,
        },
        // Consent to what the registration requests, after it requests it.
        { ...kept, dependsOn: [apiAccess] },
      );
    }

    const password = new azuread.ApplicationPassword(
      `${name}-secret`,
      {
        applicationId: registration.id,
        displayName: `Logto SSO (rotation period ${args.secretRotation.period})`,
        endDate: args.secretRotation.endDate,
        rotateWhenChanged: args.secretRotation.trigger,
      },
      // Replaced at every rotation, new one first (the default): never protected, or rotation would fail.
      { ...inTenant, protect: false, deleteBeforeReplace: false },
    );

    this.clientId = registration.clientId;
    this.clientSecret = pulumi.secret(password.value);
    this.issuer = pulumi.output(entraIssuer(args.loginEndpoint, args.tenantId, args.signInAudience ?? "AzureADMyOrg"));
    this.adminConsentUrl = registration.clientId.apply((clientId) =>
      adminConsentUrl(args.loginEndpoint, args.tenantId, clientId),
    );
    this.applicationObjectId = registration.objectId;
    this.servicePrincipalObjectId = servicePrincipal.objectId;
    this.secretExpiresAt = password.endDate;
    this.consentStatus =
      (args.adminConsent ?? true)
        ? pulumi.output(`granted by this stack (tenant-wide, delegated: ${scopeNames.join(" ")})`)
        : pulumi.interpolate`pending: an administrator of tenant ${args.tenantId} (Global Administrator, Privileged Role Administrator, Cloud Application Administrator or Application Administrator) must grant admin consent for ${scopeNames.join(" ")}: open ${this.adminConsentUrl} or Entra admin center > App registrations > ${args.displayName} > API permissions > Grant admin consent.`;

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

function argumentProblems(args: EntraOidcAppArgs): string[] {
  const problems: string[] = [];
  if (!args.displayName || args.displayName.trim() === "")
    problems.push("displayName is empty: name the app registration.");
  if (!tenantIdPattern.test(args.tenantId ?? "")) {
    problems.push(`tenantId is "${args.tenantId}": give the tenant id as a lowercase GUID.`);
  }
  problems.push(
    ...urlProblems("loginEndpoint", args.loginEndpoint ?? "", { allowPath: false, allowTrailingSlash: false }),
  );
  if (args.signInAudience !== undefined && !signInAudiences.includes(args.signInAudience)) {
    problems.push(
      `signInAudience is "${args.signInAudience}": use ${signInAudiences.join(" or ")}; personal Microsoft accounts have another issuer than the tenant's.`,
    );
  }
  if (Number.isNaN(Date.parse(args.secretRotation?.endDate ?? ""))) {
    problems.push(`secretRotation.endDate is "${args.secretRotation?.endDate}": give an RFC 3339 date.`);
  }
  return problems;
}
