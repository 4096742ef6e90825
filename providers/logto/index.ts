export { Application, ApplicationArgs, applicationProvider } from "./application/provider";
export type { ApplicationInputs, ApplicationOutputs } from "./application/schema";
export {
  ApplicationSecret,
  ApplicationSecretArgs,
  applicationSecretProvider,
  secretNameFor,
} from "./applicationSecret/provider";
export type { ApplicationSecretInputs, ApplicationSecretOutputs } from "./applicationSecret/provider";
export { SignInExperienceSso, SignInExperienceSsoArgs, signInExperienceSsoProvider } from "./signInExperience/provider";
export { SsoConnector, SsoConnectorArgs, SsoConnectorConfigArgs, ssoConnectorProvider } from "./ssoConnector/provider";
export { SsoConnectorBranding, oidcSsoProviderNames } from "./ssoConnector/schema";
export type {
  ClientOwnership,
  OidcSsoProviderName,
  SsoConnectorInputs,
  SsoConnectorOutputs,
  UserLinkSettings,
} from "./ssoConnector/schema";
export { UserLinkGuard, UserLinkGuardArgs, userLinkGuardProvider } from "./userLinkGuard/check";
export type { GuardedConnection, UserLinkGuardInputs, UserLinkGuardOutputs } from "./userLinkGuard/check";
export { settingKeys } from "./settings";
