export { applicationProvider } from "./application/provider";
export { Application, ApplicationArgs } from "./application/resource";
export type { ApplicationInputs, ApplicationOutputs } from "./application/schema";
export { applicationSecretProvider } from "./applicationSecret/provider";
export { ApplicationSecret, ApplicationSecretArgs } from "./applicationSecret/resource";
export { secretNameFor, type ApplicationSecretInputs, type ApplicationSecretOutputs } from "./applicationSecret/schema";
export { signInExperienceSsoProvider } from "./signInExperience/provider";
export { SignInExperienceSso, SignInExperienceSsoArgs } from "./signInExperience/resource";
export { ssoConnectorProvider } from "./ssoConnector/provider";
export { SsoConnector, SsoConnectorArgs, SsoConnectorConfigArgs } from "./ssoConnector/resource";
export { SsoConnectorBranding, oidcSsoProviderNames } from "./ssoConnector/schema";
export type {
  ClientOwnership,
  OidcSsoProviderName,
  SsoConnectorInputs,
  SsoConnectorOutputs,
  UserLinkSettings,
} from "./ssoConnector/schema";
export { userLinkGuardProvider } from "./userLinkGuard/provider";
export { UserLinkGuard, UserLinkGuardArgs } from "./userLinkGuard/resource";
export type { GuardedConnection, UserLinkGuardInputs, UserLinkGuardOutputs } from "./userLinkGuard/schema";
export { settingKeys } from "./settings";
// For dynamic providers outside this package (the engine tests' dependants) to share the process's client.
export { managementClient } from "./registry";
export { configureFromStack } from "./support";
export { Organization, OrganizationArgs } from "./organization/resource";
export { organizationProvider } from "./organization/provider";
export type { OrganizationInputs, OrganizationOutputs } from "./organization/schema";
export { OrganizationJit, OrganizationJitArgs } from "./organizationJit/resource";
export { organizationJitProvider } from "./organizationJit/provider";
export type { OrganizationJitInputs, OrganizationJitOutputs } from "./organizationJit/schema";
export { OrganizationRole, OrganizationRoleArgs } from "./organizationRole/resource";
export { organizationRoleProvider } from "./organizationRole/provider";
export type { OrganizationRoleInputs, OrganizationRoleOutputs } from "./organizationRole/schema";
export { OrganizationScope, OrganizationScopeArgs } from "./organizationScope/resource";
export { organizationScopeProvider } from "./organizationScope/provider";
export type { OrganizationScopeInputs, OrganizationScopeOutputs } from "./organizationScope/schema";
export type { TemplateOwnership } from "./organizationTemplate";
export { organizationGuardProvider } from "./organizationGuard/provider";
export { GuardedOrganizationArgs, OrganizationGuard, OrganizationGuardArgs } from "./organizationGuard/resource";
export type {
  GuardedOrganization,
  OrganizationGuardInputs,
  OrganizationGuardOutputs,
} from "./organizationGuard/schema";
