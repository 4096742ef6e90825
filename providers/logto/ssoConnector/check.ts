/** The SSO connector's check and diff: defaults, the declared values Logto would refuse, and what cuts users' links. */
import * as pulumi from "@pulumi/pulumi";
import { configuredSettings, managementClient } from "../registry";
import { formerOriginsAfter } from "../publicOrigin";
import {
  MovingObject,
  adoptableDiff,
  configuredEndpoint,
  containsUnknown,
  ifPresent,
  notice,
  sameStringSet,
} from "../support";
import { domainProblems, issuerProblems, scopeTokens, trustedEmailProblems } from "../validation";
import { relinkConsequence } from "../userLinkGuard/check";
import {
  oidcSsoProviderNames,
  SsoConnectorConfig,
  SsoConnectorBranding,
  OnPublicOrigin,
  SsoConnectorDeclared,
  SsoConnectorInputs,
  SsoConnectorOutputs,
  ConnectorBody,
  getConnector,
  label,
  withSettings,
  withoutDefaults,
} from "./schema";

/** Scopes Logto always requests for OIDC connectors, whatever the config says. */
const scopesLogtoAlwaysAdds: readonly string[] = ["openid", "profile", "email"];

/**
 * The origins `check` records: the public origin as recorded while the endpoint stays (no request on a routine
 * preview), else from the discovery document at the configured endpoint; the one before is kept as a former
 * origin, unless the stack is leaving that Logto (logto:moveFromEndpoint) or the origin is retired.
 */
export async function checkedOrigins(olds: Partial<SsoConnectorInputs>, endpoint: string): Promise<OnPublicOrigin> {
  const settings = configuredSettings();
  const publicOrigin =
    olds.endpoint === endpoint && olds.publicOrigin !== undefined
      ? olds.publicOrigin
      : await managementClient().publicOrigin();
  const leaving = olds.endpoint !== undefined && olds.endpoint === settings.moveFromEndpoint;
  const previous = leaving ? {} : olds;
  return { publicOrigin, formerPublicOrigins: formerOriginsAfter(previous, publicOrigin, settings.retiredOrigins) };
}

export function originsChanged(olds: OnPublicOrigin, news: OnPublicOrigin): boolean {
  return olds.publicOrigin !== news.publicOrigin || !sameStringSet(olds.formerPublicOrigins, news.formerPublicOrigins);
}

/** Declared scope compared as a set, without the scopes Logto adds anyway. */
function canonicalScope(scope: string | undefined): string[] {
  return scopeTokens(scope).filter((token) => !scopesLogtoAlwaysAdds.includes(token));
}

function configChanged(olds: SsoConnectorConfig, news: SsoConnectorConfig): boolean {
  return (
    olds.clientId !== news.clientId ||
    olds.clientSecret !== news.clientSecret ||
    olds.issuer !== news.issuer ||
    (olds.trustUnverifiedEmail ?? false) !== (news.trustUnverifiedEmail ?? false) ||
    !sameStringSet(canonicalScope(olds.scope), canonicalScope(news.scope))
  );
}

function brandingChanged(olds: SsoConnectorBranding | undefined, news: SsoConnectorBranding | undefined): boolean {
  return (["displayName", "logo", "darkLogo"] as const).some((key) => (olds?.[key] ?? "") !== (news?.[key] ?? ""));
}

/** Which top-level fields differ, ignoring what Logto normalises (case of domains, default flags, order). */
export function changedFields(olds: SsoConnectorInputs, news: SsoConnectorInputs): Array<keyof ConnectorBody> {
  const changed: Array<keyof ConnectorBody> = [];
  if (olds.connectorName !== news.connectorName) changed.push("connectorName");
  if (configChanged(olds.config, news.config)) changed.push("config");
  const lower = (list: string[] | undefined) => (list ?? []).map((d) => d.toLowerCase());
  if (!sameStringSet(lower(olds.domains), lower(news.domains))) changed.push("domains");
  if (brandingChanged(olds.branding, news.branding)) changed.push("branding");
  if ((olds.syncProfile ?? false) !== (news.syncProfile ?? false)) changed.push("syncProfile");
  if ((olds.enableTokenStorage ?? false) !== (news.enableTokenStorage ?? false)) changed.push("enableTokenStorage");
  return changed;
}

export function checkFailures(news: SsoConnectorDeclared): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  const fail = (property: string, reasons: string[]) =>
    reasons.forEach((reason) => failures.push({ property, reason }));
  const known = (value: unknown) => !containsUnknown(value);
  if (known(news.providerName) && !oidcSsoProviderNames.includes(news.providerName)) {
    fail("providerName", [
      `providerName is "${news.providerName}": use one of ${oidcSsoProviderNames.join(", ")} (AzureAdOidc is Microsoft Entra ID over OIDC; AzureAD is Logto's SAML flavour, which this provider does not manage).`,
    ]);
  }
  if (known(news.connectorName) && (typeof news.connectorName !== "string" || news.connectorName.trim() === "")) {
    fail("connectorName", ["connectorName is empty: give the connector a name that is unique in the Logto tenant."]);
  }
  const config = news.config ?? ({} as SsoConnectorConfig);
  for (const key of ["clientId", "clientSecret", "issuer"] as const) {
    if (known(config[key]) && (typeof config[key] !== "string" || config[key] === "")) {
      fail(`config.${key}`, [`config.${key} is missing: Logto needs clientId, clientSecret and issuer together.`]);
    }
  }
  if (known(config.issuer) && typeof config.issuer === "string" && config.issuer !== "") {
    fail("config.issuer", issuerProblems("config.issuer", config.issuer));
    if (known(config.trustUnverifiedEmail)) {
      fail(
        "config.trustUnverifiedEmail",
        trustedEmailProblems("config.trustUnverifiedEmail", config.issuer, config.trustUnverifiedEmail === true),
      );
    }
  }
  if (known(news.domains)) fail("domains", domainProblems("domains", news.domains ?? []));
  if (known(news.enableTokenStorage) && known(config.scope) && news.enableTokenStorage) {
    if (!scopeTokens(config.scope).includes("offline_access")) {
      fail("config.scope", [
        "enableTokenStorage is on but config.scope lacks offline_access: without it the IdP issues no refresh token to store; add offline_access.",
      ]);
    }
  }
  return failures;
}

/**
 * Changes from `olds` (the inputs the connector was last given) to `news` that cut the users' links: a
 * replacement, a new issuer, a new client id (known, or unknown at preview because the app registration is
 * being made anew). Empty for a create.
 */
function rekeyingChanges(olds: Partial<SsoConnectorInputs>, news: SsoConnectorDeclared): string[] {
  if (!olds.config) return [];
  const changes: string[] = [];
  if (
    olds.providerName !== undefined &&
    !containsUnknown(news.providerName) &&
    olds.providerName !== news.providerName
  ) {
    changes.push(
      `providerName changes from ${olds.providerName} to ${news.providerName}, which needs a new connector (Logto deletes the users' SSO identities with the old one)`,
    );
  }
  if (!containsUnknown(news.config.issuer) && olds.config.issuer !== news.config.issuer) {
    changes.push(`config.issuer changes from ${olds.config.issuer} to ${news.config.issuer}`);
  }
  if (containsUnknown(news.config.clientId)) {
    changes.push(
      `config.clientId changes from ${olds.config.clientId} to the client id of an app registration made in this change`,
    );
  } else if (olds.config.clientId !== news.config.clientId) {
    changes.push(
      `config.clientId changes from ${olds.config.clientId} to ${news.config.clientId}, another app registration`,
    );
  }
  return changes;
}

/**
 * A client this stack made, about to leave the stack: refused when the stack would delete the app registration
 * (or the client secret) the connector goes on using.
 */
function handOverFailures(olds: Partial<SsoConnectorInputs>, news: SsoConnectorDeclared): string[] {
  const sameClient = olds.config !== undefined && news.config.clientId === olds.config.clientId;
  if (!sameClient || news.clientOwnership !== "external") return [];
  if (olds.clientOwnership === "stack") {
    return [
      `${label(news)}: config.clientId stays ${news.config.clientId}, the app registration this stack made, but the stack stops managing it in this change and so would delete it: sign-in through the connector would fail (AADSTS700016) for every user. Keep it: set keepAppRegistration: true on the connection while it is still managed and run pulumi up, then switch.`,
    ];
  }
  if (olds.clientOwnership === "stack-kept" && news.config.clientSecret === olds.config?.clientSecret) {
    return [
      `${label(news)}: config.clientSecret is still the client secret this stack made for app registration ${news.config.clientId}, which this change deletes (the registration itself is kept): have the app's owner create a new client secret and set that one.`,
    ];
  }
  return [];
}

/** The user-link review of a change: refused changes as check failures, accepted ones as notices. */
export function userLinkFailures(
  olds: Partial<SsoConnectorInputs>,
  news: SsoConnectorDeclared,
): pulumi.dynamic.CheckFailure[] {
  const refused = handOverFailures(olds, news);
  const changes = rekeyingChanges(olds, news);
  if (changes.length > 0) {
    const what = `${label(news)}: ${changes.join("; ")}. Then ${relinkConsequence}.`;
    if (news.allowUserRelink) notice(`${what} Applied because allowUserRelink is on.`);
    else
      refused.push(
        `${what} If that is what you want, set allowUserRelink: true on its connection for this one pulumi up; otherwise put the setting back.`,
      );
  }
  // No property: the engine would print the whole config value next to the reason.
  return refused.map((reason) => ({ property: "", reason }));
}

/** Fills defaults (the state keeps only what differs: withoutDefaults); leaves unknown (preview) values alone. */
export function withDefaults(news: Partial<SsoConnectorInputs>): SsoConnectorDeclared {
  return {
    ...withSettings(news),
    providerName: news.providerName ?? "AzureAdOidc",
    connectorName: news.connectorName ?? "",
    config: { ...news.config, trustUnverifiedEmail: news.config?.trustUnverifiedEmail ?? false } as SsoConnectorConfig,
    domains: news.domains ?? [],
    endpoint: configuredEndpoint(),
  };
}

/** A connector at another endpoint: the same tenant holds it under its id, with the same provider. */
function movingConnector(id: string, olds: Partial<SsoConnectorInputs>): MovingObject {
  return {
    what: `${label({ connectorName: olds.connectorName ?? id })} (id ${id})`,
    cost: "Logto deletes every user's link to the old connector with it (user_sso_identities, on delete cascade), so its users' next sign-in links them again only by a verified email (or with trustUnverifiedEmail), else makes new, empty accounts; and the new connector has a new id, so a new callback URI (managed connections get it registered; provided ones need the customer's administrator to add it).",
    async heldBy(client) {
      const row = await ifPresent(() =>
        getConnector(client, id, `looking up SSO connector ${id} at ${client.endpoint}`),
      );
      return row !== undefined && row.providerName === olds.providerName;
    },
  };
}

export async function checkSsoConnector(
  olds: Partial<SsoConnectorInputs> | undefined,
  news: Partial<SsoConnectorInputs>,
): Promise<pulumi.dynamic.CheckResult<SsoConnectorInputs>> {
  const inputs = withDefaults(news);
  const failures = [...checkFailures(inputs), ...userLinkFailures(olds ?? {}, inputs)];
  // The declared values are wrong: say so without asking Logto for its origin.
  if (failures.length > 0) return { failures };
  return { inputs: withoutDefaults({ ...inputs, ...(await checkedOrigins(olds ?? {}, inputs.endpoint)) }), failures };
}

export async function diffSsoConnector(
  id: string,
  stored: SsoConnectorOutputs,
  checked: SsoConnectorInputs,
): Promise<pulumi.dynamic.DiffResult> {
  const [olds, news] = [withSettings(stored), withSettings(checked)];
  const replaces = olds.providerName !== news.providerName ? ["providerName"] : [];
  // Who owns the client decides what a later change may do: recorded by an update that sends nothing.
  const changed =
    containsUnknown(news) ||
    changedFields(olds, news).length > 0 ||
    olds.clientOwnership !== news.clientOwnership ||
    originsChanged(olds, news);
  return adoptableDiff(olds, news, { replaces, changed }, movingConnector(id, olds));
}
