/** Scope names per side, and Graph scope ids looked up by name. */
import { describe, expect, it } from "vitest";
import { connectorScopes, graphScopeNames, resolveScopeIds } from "../../infra/scopes";
import { graphPermissionScopes, graphScopeId } from "./harness";

const context = { api: "Microsoft Graph", field: "logto-entra-sso:connections[0].extraScopes" };

describe("scope names", () => {
  it("gives Entra openid, profile and email plus the extra scopes, and the connector only the extra ones", () => {
    expect(graphScopeNames(["User.Read"], false)).toEqual(["openid", "profile", "email", "User.Read"]);
    expect(connectorScopes(["User.Read"], false)).toEqual(["User.Read"]);
    expect(connectorScopes(["profile", "Mail.Read"], false)).toEqual(["Mail.Read"]);
  });

  it("adds offline_access once for token storage", () => {
    expect(connectorScopes([], true)).toEqual(["offline_access"]);
    expect(connectorScopes(["offline_access", "User.Read"], true)).toEqual(["offline_access", "User.Read"]);
    expect(graphScopeNames(["User.Read"], true)).toEqual(["openid", "profile", "email", "User.Read", "offline_access"]);
  });
});

describe("resolveScopeIds", () => {
  it("maps names to the ids Microsoft Graph publishes, in order", () => {
    const names = ["openid", "profile", "email", "offline_access", "User.Read", "Calendars.Read"];
    expect(resolveScopeIds(names, graphPermissionScopes, context)).toEqual(names.map(graphScopeId));
  });

  it("fails with one message naming every unknown scope, the config field, and the right spelling", () => {
    expect(() => resolveScopeIds(["openid", "user.read", "Mail.Reed"], graphPermissionScopes, context)).toThrow(
      [
        "Unknown scope name(s) for Microsoft Graph:",
        '  - Microsoft Graph publishes no delegated permission named "user.read"; did you mean "User.Read"? (scope names are case-sensitive): fix logto-entra-sso:connections[0].extraScopes (names as listed at https://learn.microsoft.com/graph/permissions-reference).',
        '  - Microsoft Graph publishes no delegated permission named "Mail.Reed": fix logto-entra-sso:connections[0].extraScopes (names as listed at https://learn.microsoft.com/graph/permissions-reference).',
      ].join("\n"),
    );
  });

  it("refuses a scope the API has disabled", () => {
    const published = graphPermissionScopes.map((s) => (s.value === "Mail.Read" ? { ...s, enabled: false } : s));
    expect(() => resolveScopeIds(["Mail.Read"], published, context)).toThrow(
      '"Mail.Read" is disabled in Microsoft Graph: remove it from logto-entra-sso:connections[0].extraScopes.',
    );
  });
});
