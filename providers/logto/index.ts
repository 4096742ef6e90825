export { Application, ApplicationArgs, applicationProvider, secretNameFor } from "./application";
export type { ApplicationInputs, ApplicationOutputs } from "./application";
export { SignInExperienceSso, SignInExperienceSsoArgs, signInExperienceSsoProvider } from "./signInExperience";
export {
  SsoConnector,
  SsoConnectorArgs,
  SsoConnectorBranding,
  SsoConnectorConfigArgs,
  oidcSsoProviderNames,
  ssoConnectorProvider,
} from "./ssoConnector";
export type { OidcSsoProviderName, SsoConnectorInputs, SsoConnectorOutputs } from "./ssoConnector";
export { settingKeys } from "./settings";
