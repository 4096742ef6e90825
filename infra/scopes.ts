/**
 * Which OAuth scopes each side gets. Entra needs every scope as a Microsoft Graph delegated permission
 * (openid, profile and email included); Logto adds openid, profile and email to its request itself, so
 * the connector only carries the extra ones.
 */

export const oidcBaseScopes: readonly string[] = ["openid", "profile", "email"];

/** Entra issues a refresh token only for this scope; Logto's token storage has nothing to keep without it. */
export const offlineAccessScope = "offline_access";

const scopePattern = /^[\x21\x23-\x5b\x5d-\x7e]+$/;

/** OAuth scope tokens (RFC 6749 §3.3): printable ASCII without spaces, quotes or backslashes. */
export function scopeProblems(field: string, scopes: readonly string[]): string[] {
  return scopes.flatMap((scope, index) =>
    scopePattern.test(scope)
      ? []
      : [`${field}[${index}] is "${scope}": a scope is one word of printable ASCII, e.g. User.Read.`],
  );
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}

/**
 * The scopes the Logto connector asks for on top of openid, profile and email. Token storage always gets
 * offline_access: the connector's `check` refuses token storage without it, so it is added here rather
 * than left to fail.
 */
export function connectorScopes(extraScopes: readonly string[], tokenStorage: boolean): string[] {
  const extra = extraScopes.filter((scope) => !oidcBaseScopes.includes(scope));
  return unique(tokenStorage ? [...extra, offlineAccessScope] : extra);
}

/** The Microsoft Graph delegated permissions the Entra app requests and the admin consent covers. */
export function graphScopeNames(extraScopes: readonly string[], tokenStorage: boolean): string[] {
  return unique([...oidcBaseScopes, ...connectorScopes(extraScopes, tokenStorage)]);
}

/** A delegated permission as an API's service principal publishes it (`oauth2PermissionScopes`). */
export interface PublishedScope {
  id: string;
  value: string;
  enabled?: boolean;
}

/**
 * Maps scope names to the ids the API publishes. Throws one error naming every unknown or disabled
 * scope, with a same-name-other-case suggestion when there is one.
 */
export function resolveScopeIds(
  names: readonly string[],
  published: readonly PublishedScope[],
  context: { api: string; field: string },
): string[] {
  const byValue = new Map(published.map((scope) => [scope.value, scope]));
  const problems: string[] = [];
  const ids = names.flatMap((name) => {
    const scope = byValue.get(name);
    if (scope && scope.enabled !== false) return [scope.id];
    if (scope) {
      problems.push(`"${name}" is disabled in ${context.api}: remove it from ${context.field}.`);
      return [];
    }
    const sameLetters = published.find((candidate) => candidate.value.toLowerCase() === name.toLowerCase());
    problems.push(
      `${context.api} publishes no delegated permission named "${name}"` +
        (sameLetters ? `; did you mean "${sameLetters.value}"? (scope names are case-sensitive)` : "") +
        `: fix ${context.field} (names as listed at https://learn.microsoft.com/graph/permissions-reference).`,
    );
    return [];
  });
  if (problems.length > 0) {
    throw new Error(`Unknown scope name(s) for ${context.api}:\n  - ${problems.join("\n  - ")}`);
  }
  return ids;
}
