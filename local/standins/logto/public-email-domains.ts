/**
 * The public mail domains Logto refuses as SSO connector domains (422 `single_sign_on.forbidden_domains`):
 * Logto's `singleSignOnDomainBlackList` (logto-io/logto packages/schemas/src/types/sso-connector.ts, 1.42),
 * matched exactly after lowercasing (packages/core/src/routes/sso-connector/utils.ts `validateConnectorDomains`).
 * The stand-in keeps its own copy rather than the provider's (providers/logto/validation.ts), so a wrong list
 * in the provider is caught by the stand-in's answers and by test/providers/publicEmailDomains.test.ts.
 */
export const singleSignOnDomainBlackList: readonly string[] = [
  "gmail.com",
  "yahoo.com",
  "hotmail.com",
  "outlook.com",
  "live.com",
  "icloud.com",
  "aol.com",
  "yandex.com",
  "mail.com",
  "protonmail.com",
  "yanex.com",
  "gmx.com",
  "mail.ru",
  "zoho.com",
  "qq.com",
  "163.com",
  "126.com",
  "sina.com",
  "sohu.com",
];
