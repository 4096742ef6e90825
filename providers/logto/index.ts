export { Application, ApplicationArgs, applicationProvider } from "./application";
export type { ApplicationInputs, ApplicationOutputs } from "./applicationSchema";
export {
  ApplicationSecret,
  ApplicationSecretArgs,
  applicationSecretProvider,
  secretNameFor,
} from "./applicationSecret";
export type { ApplicationSecretInputs, ApplicationSecretOutputs } from "./applicationSecret";
export { SignInExperienceSso, SignInExperienceSsoArgs, signInExperienceSsoProvider } from "./signInExperience";
export { SsoConnector, SsoConnectorArgs, SsoConnectorConfigArgs, ssoConnectorProvider } from "./ssoConnector";
export { SsoConnectorBranding, oidcSsoProviderNames } from "./ssoConnectorSchema";
export type {
  ClientOwnership,
  OidcSsoProviderName,
  SsoConnectorInputs,
  SsoConnectorOutputs,
  UserLinkSettings,
} from "./ssoConnectorSchema";
export { UserLinkGuard, UserLinkGuardArgs, userLinkGuardProvider } from "./userLinkGuard";
export type { GuardedConnection, UserLinkGuardInputs, UserLinkGuardOutputs } from "./userLinkGuard";
export { settingKeys } from "./settings";
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
