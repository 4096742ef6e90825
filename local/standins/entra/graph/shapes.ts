/**
 * Type checks of the properties the stand-in interprets, applied to an object after a POST or PATCH: a wrong
 * type answers Graph's 400 "Invalid value specified for property '…' of resource '…'." Other properties are
 * kept as sent, unchecked.
 */
import { isPlainObject } from "../../shared/json";
import { invalidProperty } from "../errors";
import { isGuid } from "../ids";

export type Check = (value: unknown) => boolean;

export const isString: Check = (value) => typeof value === "string";
export const isNullableString: Check = (value) => value === null || typeof value === "string";
export const isBoolean: Check = (value) => typeof value === "boolean";
export const isGuidString: Check = (value) => typeof value === "string" && isGuid(value);
export const isStringArray: Check = (value) => Array.isArray(value) && value.every(isString);
export const oneOf =
  (...allowed: unknown[]): Check =>
  (value) =>
    allowed.includes(value);
export const arrayOf =
  (item: Check): Check =>
  (value) =>
    Array.isArray(value) && value.every(item);

/**
 * An object of Graph type `resource`: each listed property that is present must pass its check (or the
 * answer names it), and the `required` ones must be present.
 */
export function objectOf(resource: string, properties: Record<string, Check>, required: readonly string[] = []): Check {
  return (value) => {
    if (!isPlainObject(value)) return false;
    for (const name of required) if (!(name in value)) throw invalidProperty(name, resource);
    for (const [name, check] of Object.entries(properties)) {
      if (name in value && !check(value[name])) throw invalidProperty(name, resource);
    }
    return true;
  };
}

const redirectUris = (resource: string): Check => objectOf(resource, { redirectUris: isStringArray });

const permissionScope = objectOf(
  "PermissionScope",
  {
    id: isGuidString,
    value: isNullableString,
    type: oneOf("User", "Admin"),
    isEnabled: isBoolean,
    adminConsentDisplayName: isNullableString,
    adminConsentDescription: isNullableString,
  },
  ["id"],
);

const appRole = objectOf(
  "AppRole",
  { id: isGuidString, value: isNullableString, isEnabled: isBoolean, allowedMemberTypes: isStringArray },
  ["id"],
);

export const applicationShape = objectOf("Application", {
  displayName: isNullableString,
  description: isNullableString,
  notes: isNullableString,
  groupMembershipClaims: isNullableString,
  serviceManagementReference: isNullableString,
  signInAudience: oneOf(
    "AzureADMyOrg",
    "AzureADMultipleOrgs",
    "AzureADandPersonalMicrosoftAccount",
    "PersonalMicrosoftAccount",
  ),
  identifierUris: isStringArray,
  tags: isStringArray,
  api: objectOf("ApiApplication", {
    requestedAccessTokenVersion: oneOf(null, 1, 2),
    oauth2PermissionScopes: arrayOf(permissionScope),
  }),
  appRoles: arrayOf(appRole),
  info: objectOf("InformationalUrl", {
    marketingUrl: isNullableString,
    privacyStatementUrl: isNullableString,
    supportUrl: isNullableString,
    termsOfServiceUrl: isNullableString,
  }),
  web: objectOf("WebApplication", {
    redirectUris: isStringArray,
    homePageUrl: isNullableString,
    logoutUrl: isNullableString,
    implicitGrantSettings: objectOf("ImplicitGrantSettings", {
      enableAccessTokenIssuance: isBoolean,
      enableIdTokenIssuance: isBoolean,
    }),
  }),
  spa: redirectUris("SpaApplication"),
  publicClient: redirectUris("PublicClientApplication"),
  requiredResourceAccess: arrayOf(
    objectOf(
      "RequiredResourceAccess",
      {
        resourceAppId: isGuidString,
        resourceAccess: arrayOf(
          objectOf("ResourceAccess", { id: isGuidString, type: oneOf("Scope", "Role") }, ["id", "type"]),
        ),
      },
      ["resourceAppId", "resourceAccess"],
    ),
  ),
});

export const servicePrincipalShape = objectOf("ServicePrincipal", {
  accountEnabled: isBoolean,
  appRoleAssignmentRequired: isBoolean,
  description: isNullableString,
  displayName: isNullableString,
  homepage: isNullableString,
  loginUrl: isNullableString,
  notes: isNullableString,
  preferredSingleSignOnMode: isNullableString,
  alternativeNames: isStringArray,
  notificationEmailAddresses: isStringArray,
  tags: isStringArray,
});

export const permissionGrantShape = objectOf(
  "OAuth2PermissionGrant",
  {
    clientId: isGuidString,
    resourceId: isGuidString,
    consentType: oneOf("AllPrincipals", "Principal"),
    principalId: (value) => value === null || isGuidString(value),
    scope: isString,
  },
  ["clientId", "resourceId", "consentType"],
);
