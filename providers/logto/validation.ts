/**
 * Input checks shared by the provider's `check` and the stack config validation. Each returns a list of
 * problems (empty when valid); every problem names the field, the value and the fix.
 */

/**
 * Public mail domains Logto refuses as SSO domains (422 single_sign_on.forbidden_domains): exactly Logto's
 * `singleSignOnDomainBlackList` (logto-io/logto, packages/schemas/src/types/sso-connector.ts, matched exactly
 * after lowercasing), typo "yanex.com" included. The Logto stand-in refuses the same list.
 * Arrays, not Sets, in everything the provider captures: Pulumi serialises a captured Set as a plain object.
 */
export const publicEmailDomains: readonly string[] = [
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

const domainPattern = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export function domainProblems(field: string, domains: readonly string[]): string[] {
  const problems: string[] = [];
  const seen = new Map<string, number>();
  domains.forEach((domain, index) => {
    const where = `${field}[${index}]`;
    const lower = domain.toLowerCase().trim();
    if (domain !== lower) {
      problems.push(`${where} is "${domain}": write email domains in lowercase without spaces ("${lower}").`);
    } else if (!domainPattern.test(domain)) {
      problems.push(`${where} is "${domain}": give a bare email domain such as contoso.com (no @, scheme or path).`);
    } else if (publicEmailDomains.includes(domain)) {
      problems.push(
        `${where} is "${domain}": public email domains cannot be routed to an enterprise IdP; list your organisation's own domains.`,
      );
    }
    const first = seen.get(lower);
    if (first !== undefined) {
      problems.push(`${where} repeats ${field}[${first}] ("${lower}"): list each domain once.`);
    } else {
      seen.set(lower, index);
    }
  });
  return problems;
}

/** An absolute http(s) URL; `allowPath` false also refuses paths, queries and fragments. */
export function urlProblems(
  field: string,
  value: string,
  options: { allowPath: boolean; allowTrailingSlash: boolean },
): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [`${field} is "${value}": it must be an absolute URL such as https://app.example.com/callback.`];
  }
  const problems: string[] = [];
  if (url.protocol !== "https:" && url.protocol !== "http:") {
    problems.push(`${field} is "${value}": use an http:// or https:// URL.`);
  }
  if (!options.allowPath && (url.pathname !== "/" || url.search || url.hash)) {
    problems.push(`${field} is "${value}": give only scheme, host and port, without a path.`);
  }
  if (!options.allowTrailingSlash && value.endsWith("/")) {
    problems.push(`${field} is "${value}": remove the trailing slash ("${value.replace(/\/+$/, "")}").`);
  }
  return problems;
}

/** The issuer Logto fetches `/.well-known/openid-configuration` under: absolute, no trailing slash. */
export function issuerProblems(field: string, issuer: string): string[] {
  const problems = urlProblems(field, issuer, { allowPath: true, allowTrailingSlash: false });
  if (problems.length === 0 && /\/\.well-known\//.test(issuer)) {
    problems.push(
      `${field} is "${issuer}": give the issuer itself (e.g. https://login.microsoftonline.com/<tenant-id>/v2.0); Logto appends /.well-known/openid-configuration.`,
    );
  }
  return problems;
}

/**
 * Entra's multi-tenant issuers (`/organizations/v2.0`, `/common/v2.0`): any tenant whose administrator
 * consents signs in through them, and that administrator sets the users' `mail`. Logto matches an email to an
 * existing account without looking at the connector's domains or the token's tenant, so trusting unverified
 * email there lets an outsider into anyone's account (nOAuth).
 */
export function trustedEmailProblems(field: string, issuer: string, trustUnverifiedEmail: boolean): string[] {
  let firstSegment: string;
  try {
    firstSegment = new URL(issuer).pathname.split("/")[1]?.toLowerCase() ?? "";
  } catch {
    return [];
  }
  if (!trustUnverifiedEmail || !["organizations", "common"].includes(firstSegment)) return [];
  return [
    `${field} is true with the multi-tenant issuer ${issuer}: any Entra tenant's administrator can consent to a multi-tenant app and give a user any mail address, and Logto would link that user to the Logto account with this address (it checks neither the domain nor the tenant): remove trustUnverifiedEmail, or trust each customer tenant's own issuer (https://login.microsoftonline.com/<tenant-id>/v2.0) in its own connector.`,
  ];
}

/** Splits a space-separated scope string into unique tokens, keeping their order. */
export function scopeTokens(scope: string | undefined): string[] {
  return [...new Set((scope ?? "").split(/\s+/).filter((token) => token.length > 0))];
}

/** This machine: `localhost` (and its subdomains), 127.0.0.0/8, `[::1]` (a URL's `hostname`, brackets kept). */
export function isLoopbackHostname(hostname: string): boolean {
  const host = hostname.toLowerCase();
  return host === "localhost" || host.endsWith(".localhost") || host === "[::1]" || /^127(?:\.\d{1,3}){3}$/.test(host);
}

/**
 * A Logto endpoint: an origin, https unless the host is this machine. The M2M client secret is sent to it
 * in an Authorization header, so plain http to another host would put it on the wire in clear.
 */
export function logtoEndpointProblems(field: string, value: string, fix: string): string[] {
  const problems = urlProblems(field, value, { allowPath: false, allowTrailingSlash: false }).map(
    (issue) => `${issue} ${fix}`,
  );
  if (problems.length > 0) return problems;
  const url = new URL(value);
  if (url.protocol === "http:" && !isLoopbackHostname(url.hostname)) {
    problems.push(
      `${field} is "${value}": plain http would send the M2M app secret in clear to ${url.hostname}; use https:// (http is accepted only for localhost and 127.0.0.1). ${fix}`,
    );
  }
  return problems;
}
