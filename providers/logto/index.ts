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
