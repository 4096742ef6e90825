/**
 * The directory objects as Graph v1.0 shows them, and what a new one looks like (the create examples of
 * microsoft-graph-docs-contrib api-reference/v1.0/api/application-post-applications.md and
 * serviceprincipal-post-serviceprincipals.md). Properties the stand-in does not interpret are kept as sent.
 */
import type { AppRole, PermissionScope } from "./microsoft-graph";

export type GraphJson = Record<string, unknown>;

export interface PasswordCredential {
  customKeyIdentifier: string | null;
  displayName: string | null;
  endDateTime: string;
  hint: string;
  keyId: string;
  /** Graph shows the secret once, in the addPassword answer; stored credentials have null. */
  secretText: null;
  startDateTime: string;
}

export interface ResourceAccess {
  id: string;
  type: "Scope" | "Role";
}

export interface RequiredResourceAccess {
  resourceAppId: string;
  resourceAccess: ResourceAccess[];
}

export interface RedirectUris {
  [property: string]: unknown;
  redirectUris: string[];
}

export interface WebApplication extends RedirectUris {
  homePageUrl: string | null;
  logoutUrl: string | null;
  implicitGrantSettings: { enableAccessTokenIssuance: boolean; enableIdTokenIssuance: boolean };
}

export interface Application {
  [property: string]: unknown;
  id: string;
  appId: string;
  createdDateTime: string;
  displayName: string | null;
  publisherDomain: string;
  signInAudience: string;
  identifierUris: string[];
  api: {
    [property: string]: unknown;
    requestedAccessTokenVersion: number | null;
    oauth2PermissionScopes: PermissionScope[];
  };
  appRoles: AppRole[];
  info: GraphJson;
  web: WebApplication;
  spa: RedirectUris;
  publicClient: RedirectUris;
  requiredResourceAccess: RequiredResourceAccess[];
  passwordCredentials: PasswordCredential[];
}

/** A service principal as stored; `servicePrincipalView` adds what Graph derives from its application. */
export interface ServicePrincipal {
  [property: string]: unknown;
  id: string;
  appId: string;
  displayName: string | null;
  accountEnabled: boolean;
  appRoleAssignmentRequired: boolean;
  description: string | null;
  tags: string[];
  appRoles: AppRole[];
  oauth2PermissionScopes: PermissionScope[];
}

export interface PermissionGrant {
  id: string;
  clientId: string;
  consentType: "AllPrincipals" | "Principal";
  principalId: string | null;
  resourceId: string;
  scope: string;
}

/** A user of the directory: a test user who signs in (see `TestUserSeed`), as Graph's user resource shows one. */
export interface User {
  [property: string]: unknown;
  id: string;
  displayName: string | null;
  userPrincipalName: string;
  /** The user's email address; many work accounts have none, and then ID tokens carry no `email`. */
  mail: string | null;
  givenName: string | null;
  surname: string | null;
}

/** What `null` resets an application property to, and what a new application starts from. */
export function applicationDefaults() {
  return {
    deletedDateTime: null,
    applicationTemplateId: null,
    disabledByMicrosoftStatus: null,
    displayName: null as string | null,
    description: null,
    groupMembershipClaims: null,
    identifierUris: [] as string[],
    isDeviceOnlyAuthSupported: null,
    isFallbackPublicClient: null,
    notes: null,
    serviceManagementReference: null,
    // Graph's create example answers this for a body without signInAudience.
    signInAudience: "AzureADandPersonalMicrosoftAccount" as string,
    tags: [],
    tokenEncryptionKeyId: null,
    optionalClaims: null,
    addIns: [],
    api: {
      acceptMappedClaims: null,
      knownClientApplications: [],
      requestedAccessTokenVersion: null as number | null,
      oauth2PermissionScopes: [] as PermissionScope[],
      preAuthorizedApplications: [],
    },
    appRoles: [] as AppRole[],
    info: { logoUrl: null, marketingUrl: null, privacyStatementUrl: null, supportUrl: null, termsOfServiceUrl: null },
    keyCredentials: [],
    parentalControlSettings: { countriesBlockedForMinors: [], legalAgeGroupRule: "Allow" },
    passwordCredentials: [] as PasswordCredential[],
    publicClient: { redirectUris: [] as string[] },
    requiredResourceAccess: [] as RequiredResourceAccess[],
    spa: { redirectUris: [] as string[] },
    web: {
      homePageUrl: null as string | null,
      logoutUrl: null as string | null,
      redirectUris: [] as string[],
      implicitGrantSettings: { enableAccessTokenIssuance: false, enableIdTokenIssuance: false },
      redirectUriSettings: [],
    },
  };
}

/** The stored part of a new service principal; the rest comes from its application (`servicePrincipalView`). */
export function servicePrincipalDefaults() {
  return {
    deletedDateTime: null,
    accountEnabled: true,
    alternativeNames: [],
    appDescription: null,
    appRoleAssignmentRequired: false,
    description: null as string | null,
    disabledByMicrosoftStatus: null,
    displayName: null as string | null,
    homepage: null,
    loginUrl: null,
    logoutUrl: null,
    notes: null,
    notificationEmailAddresses: [],
    preferredSingleSignOnMode: null,
    preferredTokenSigningKeyThumbprint: null,
    samlSingleSignOnSettings: null,
    servicePrincipalType: "Application",
    tags: [] as string[],
    tokenEncryptionKeyId: null,
    addIns: [],
    appRoles: [] as AppRole[],
    oauth2PermissionScopes: [] as PermissionScope[],
    keyCredentials: [],
    passwordCredentials: [],
    resourceSpecificApplicationPermissions: [],
  };
}

/** Graph's date-time format: seven fractional digits, UTC (`2019-09-17T19:10:35.2742618Z`). */
export function graphDateTime(date: Date): string {
  return date.toISOString().replace(/\.(\d{3})Z$/, ".$10000Z");
}
