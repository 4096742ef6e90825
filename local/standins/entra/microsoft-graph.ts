/**
 * The Microsoft Graph service principal every tenant has, with a few of its real delegated scopes and app
 * roles. Ids: microsoftgraph/microsoft-graph-docs-contrib concepts/includes/permissions-ids.md (generated from
 * Graph); display names and descriptions: concepts/permissions-reference.md of the same repository, and for
 * offline_access, profile and User.Read graphpermissions.merill.net (generated from the service principal).
 */
export const microsoftGraphAppId = "00000003-0000-0000-c000-000000000000";

export interface PermissionScope {
  adminConsentDescription: string;
  adminConsentDisplayName: string;
  id: string;
  isEnabled: boolean;
  type: "User" | "Admin";
  userConsentDescription: string | null;
  userConsentDisplayName: string | null;
  value: string;
}

export interface AppRole {
  allowedMemberTypes: string[];
  description: string;
  displayName: string;
  id: string;
  isEnabled: boolean;
  origin: "Application";
  value: string;
}

function scope(
  value: string,
  id: string,
  type: PermissionScope["type"],
  displayName: string,
  description: string,
): PermissionScope {
  return {
    adminConsentDescription: description,
    adminConsentDisplayName: displayName,
    id,
    isEnabled: true,
    type,
    // Graph has user-consent texts too; the stand-in does not model them.
    userConsentDescription: null,
    userConsentDisplayName: null,
    value,
  };
}

function role(value: string, id: string, displayName: string, description: string): AppRole {
  return {
    allowedMemberTypes: ["Application"],
    description,
    displayName,
    id,
    isEnabled: true,
    origin: "Application",
    value,
  };
}

export const microsoftGraphScopes: readonly PermissionScope[] = [
  scope(
    "openid",
    "37f7f235-527c-4136-accd-4a02d197296e",
    "User",
    "Sign users in",
    "Allows users to sign in to the app with their work or school accounts and allows the app to see basic user profile information.",
  ),
  scope(
    "profile",
    "14dad69e-099b-42c9-810b-d002981feec1",
    "User",
    "View users' basic profile",
    "Allows the app to see your users' basic profile (e.g., name, picture, user name, email address)",
  ),
  scope(
    "email",
    "64a6cdd6-aab1-4aaf-94b8-3cc8405e90d0",
    "User",
    "View users' email address",
    "Allows the app to read your users' primary email address",
  ),
  scope(
    "offline_access",
    "7427e0e9-2fba-42fe-b0c0-848c9e6a8182",
    "User",
    "Maintain access to data you have given it access to",
    "Allows the app to see and update the data you gave it access to, even when users are not currently using the app. This does not give the app any additional permissions.",
  ),
  scope(
    "User.Read",
    "e1fe6dd8-ba31-4d61-89e7-88639da4683d",
    "User",
    "Sign in and read user profile",
    "Allows users to sign-in to the app, and allows the app to read the profile of signed-in users. It also allows the app to read basic company information of signed-in users.",
  ),
  scope(
    "User.ReadBasic.All",
    "b340eb25-3456-403f-be2f-af7a0d370277",
    "User",
    "Read all users' basic profiles",
    "Allows the app to read a basic set of profile properties of other users in your organization on behalf of the signed-in user. This includes display name, first and last name, email address, open extensions and photo. Also allows the app to read the full profile of the signed-in user.",
  ),
  scope(
    "User.Read.All",
    "a154be20-db9c-4678-8ab7-66f6cc099a59",
    "Admin",
    "Read all users' full profiles",
    "Allows the app to read the full set of profile properties, reports, and managers of other users in your organization, on behalf of the signed-in user.",
  ),
  scope(
    "Mail.Read",
    "570282fd-fa5c-430d-a7fd-fc8dc98a9dca",
    "User",
    "Read user mail",
    "Allows the app to read email in user mailboxes.",
  ),
  scope(
    "Calendars.Read",
    "465a38f9-76ea-45b9-9f34-9e8b0d4b0b42",
    "User",
    "Read user calendars",
    "Allows the app to read events in user calendars.",
  ),
];

export const microsoftGraphAppRoles: readonly AppRole[] = [
  role(
    "Application.ReadWrite.All",
    "1bfefb4e-e0b5-418b-a88f-73c46d2cc8e9",
    "Read and write all apps",
    "Allows the calling app to create, and manage (read, update, update application secrets and delete) applications and service principals without a signed-in user.  Does not allow management of consent grants or application assignments to users or groups.",
  ),
  role(
    "DelegatedPermissionGrant.ReadWrite.All",
    "8e8e4742-1d95-4f68-9d56-6ee75648c72a",
    "Manage all delegated permission grants",
    "Allows the app to grant or revoke any delegated permission for any API (including Microsoft Graph), without a signed-in user.",
  ),
  role(
    "Directory.Read.All",
    "7ab1d382-f21e-4acd-a863-ba3e13f7da61",
    "Read directory data",
    "Allows the app to read data in your organization's directory, such as users, groups and apps, without a signed-in user.",
  ),
  role(
    "User.Read.All",
    "df021288-bdef-4463-88db-98f22de89214",
    "Read all users' full profiles",
    "Allows the app to read the full set of profile properties, group membership, reports and managers of other users in your organization, without a signed-in user.",
  ),
];

/** What the deployer's tokens carry in `roles`: enough to register apps and grant admin consent. */
export const deployerRoles = ["Application.ReadWrite.All", "DelegatedPermissionGrant.ReadWrite.All"] as const;
