/** The guard's check (the review of a change of the recorded connections) and diff. */
import { createHash } from "node:crypto";
import type * as pulumi from "@pulumi/pulumi";
import type { Answer } from "../managementApi";
import { managementClient } from "../registry";
import { notice } from "../support";
import {
  GuardedConnection,
  RecordedConnection,
  UserLinkGuardInputs,
  UserLinkGuardOutputs,
  UserLinkGuardRecord,
  guardedIn,
  recorded,
} from "./schema";

/** What happens to the users of a re-keyed connection (or a replaced connector). */
export const relinkConsequence =
  "every user who signed in through it loses the link to their Logto account (Logto finds a returning SSO user by issuer and subject, and Entra's subject differs per app registration): at their next sign-in Logto links them again only by a verified email address, else makes a new, empty account (Entra sends no email_verified, so with trustUnverifiedEmail off that is everyone)";

/** `pulumi config set --path` form of a connection's field: `connections[0].allowUserRelink`. */
function configPath(field: string, key: string): string {
  return `${field.slice(field.indexOf(":") + 1)}.${key}`;
}

function optIn(field: string): string {
  return `If that is what you want, set allowUserRelink for this one pulumi up (pulumi config set --path '${configPath(field, "allowUserRelink")}' true) and remove it afterwards.`;
}

function changedSettings(old: RecordedConnection, next: GuardedConnection, names: string[]): string {
  const changed = names.filter((name) => old.keySettings[name] !== next.keySettings[name]);
  return changed
    .map(
      (name) =>
        `${name} changes from ${JSON.stringify(old.keySettings[name] ?? "")} to ${JSON.stringify(next.keySettings[name] ?? "")}`,
    )
    .join(" and ");
}

/** The client id a connector signs in with now, found by its name in Logto; undefined when there is none. */
export type LiveClientId = (connectorName: string) => Promise<string | undefined>;

/** A change from `old` to `next`: what re-keys the users, and what would cut them off whatever they opt in to. */
interface KeyChange {
  rekeys: string[];
  breaks: string[];
}

/**
 * managed → provided: the customer's client id may be the stack's own app registration (a hand-over, which
 * keeps every user) or another one (a re-key). Only Logto knows which client id the connector signs in with
 * now, so it is asked, and only for this change.
 */
async function handOver(
  old: RecordedConnection,
  next: GuardedConnection,
  liveClientId: LiveClientId,
): Promise<KeyChange> {
  const clientId = next.keySettings.clientId;
  const current = await liveClientId(old.connectorName);
  if (current === clientId) {
    if (old.keepsAppRegistration) return { rekeys: [], breaks: [] };
    return {
      rekeys: [],
      breaks: [
        `mode changes to provided with clientId ${clientId}, the app registration this stack made, but the stack deletes what it made when it stops managing it: sign-in through the connector would fail (AADSTS700016) for every user. Keep the registration: first set keepAppRegistration while the connection is still managed (pulumi config set --path '${configPath(next.field, "keepAppRegistration")}' true) and run pulumi up, then switch`,
      ],
    };
  }
  return {
    rekeys: [
      `mode changes from "managed" to "provided" with clientId ${JSON.stringify(clientId)}, another app registration than the one the connector signs in with now (${current ?? "not found in Logto"}), so the users' subjects come from another app registration`,
    ],
    breaks: [],
  };
}

async function keyChange(
  old: RecordedConnection,
  next: GuardedConnection,
  liveClientId: LiveClientId,
): Promise<KeyChange> {
  const change: KeyChange = { rekeys: [], breaks: [] };
  if (old.issuer !== next.issuer) {
    const settings = changedSettings(old, next, ["tenantId", "signInAudience"]);
    change.rekeys.push(`${settings ? `${settings}, so ` : ""}the issuer changes from ${old.issuer} to ${next.issuer}`);
  }
  if (old.appRegistration === next.appRegistration) return change;
  if (old.appRegistration === "managed") {
    const handedOver = await handOver(old, next, liveClientId);
    return { rekeys: [...change.rekeys, ...handedOver.rekeys], breaks: handedOver.breaks };
  }
  const settings = changedSettings(old, next, ["mode", "clientId"]);
  change.rekeys.push(
    `${settings ? `${settings}, so ` : ""}the users' subjects come from another app registration${next.appRegistration === "managed" ? " (one this stack makes)" : ""}`,
  );
  return change;
}

function describe(connection: GuardedConnection): string {
  return `${connection.field} (${connection.name})`;
}

/** Connection of `connections` that `next` continues: same name, or one of its former names. */
function predecessor(connections: RecordedConnection[], next: GuardedConnection): RecordedConnection | undefined {
  return (
    connections.find((old) => old.name === next.name) ?? connections.find((old) => next.formerNames.includes(old.name))
  );
}

/**
 * A new connection that takes over the domains or the connector name of one this change removes: a rename
 * without formerNames. Pulumi would make a new app registration and connector before deleting the old ones,
 * and Logto refuses the new connector while the old one routes the domains: `up` would stop half-way.
 */
function renameProblem(
  olds: RecordedConnection[],
  news: GuardedConnection[],
  next: GuardedConnection,
): string | undefined {
  const removed = olds.filter((old) => !news.some((other) => predecessor([old], other) !== undefined));
  const lower = (domains: string[]) => domains.map((domain) => domain.toLowerCase());
  const renamed = removed.find(
    (old) =>
      old.connectorName === next.connectorName ||
      lower(old.domains).some((domain) => lower(next.domains).includes(domain)),
  );
  if (!renamed) return undefined;
  const shared = lower(renamed.domains).filter((domain) => lower(next.domains).includes(domain));
  return `${describe(next)} is new and takes over ${shared.length > 0 ? `the email domains ${shared.join(", ")}` : `the connector name "${next.connectorName}"`} of connection ${renamed.name}, which this change removes: a rename? Without formerNames every resource of the connection gets a new name, so Pulumi would make a new app registration and connector before deleting the old ones: Logto refuses the new connector while the old one routes the domains, and ${relinkConsequence}. Keep the resources by listing the old name: pulumi config set --path '${configPath(next.field, "formerNames[0]")}' ${renamed.name}. To replace the connection on purpose, remove ${renamed.name} in one pulumi up and add ${next.name} in the next.`;
}

/** The outcome of a change of the recorded connections: what is refused, and what is applied although it re-keys. */
export interface UserLinkReview {
  /** Each with the field, what it would cost the users and the way out. */
  refused: string[];
  /**
   * Said, not refused: re-keying changes the connection opted in to (allowUserRelink), and connections this
   * change removes (the one operation that may cut links), each with what it costs.
   */
  accepted: string[];
}

/**
 * What removing a connection costs its users: its connector is deleted, and Logto deletes every user's link to
 * it with it (user_sso_identities.sso_connector_id, on delete cascade).
 */
function removalCost(removed: RecordedConnection): string {
  return `connection ${removed.name} is removed: its SSO connector "${removed.connectorName}" is deleted, and with it Logto deletes every user's link to it (user_sso_identities, on delete cascade). Its users can no longer sign in through it; if the connection is added back, a new connector is made and ${relinkConsequence}.`;
}

export async function reviewUserLinks(
  olds: RecordedConnection[],
  news: GuardedConnection[],
  liveClientId: LiveClientId,
): Promise<UserLinkReview> {
  const review: UserLinkReview = { refused: [], accepted: [] };
  for (const next of news) {
    const old = predecessor(olds, next);
    if (!old) {
      const problem = renameProblem(olds, news, next);
      if (problem) review.refused.push(problem);
      continue;
    }
    const { rekeys, breaks } = await keyChange(old, next, liveClientId);
    review.refused.push(...breaks.map((problem) => `${describe(next)}: ${problem}.`));
    if (rekeys.length === 0) continue;
    const what = `${describe(next)}: ${rekeys.join("; ")}. Then ${relinkConsequence}.`;
    if (next.allowUserRelink) review.accepted.push(`${what} Applied because allowUserRelink is on.`);
    else review.refused.push(`${what} ${optIn(next.field)} Otherwise put the setting back.`);
  }
  const continued = new Set(news.map((next) => predecessor(olds, next)));
  for (const old of olds) if (!continued.has(old)) review.accepted.push(removalCost(old));
  return review;
}

/** The connectors of the configured Logto, asked at most once per check. */
function liveClientIds(): LiveClientId {
  let rows: Promise<Answer<"/api/sso-connectors", "GET">> | undefined;
  return async (connectorName) => {
    rows ??= managementClient()
      .send({
        method: "GET",
        path: "/api/sso-connectors",
        action: "looking up which client id the SSO connectors sign in with",
      })
      .then((response) => response.data);
    const row = (await rows).find((connector) => connector.connectorName === connectorName);
    return typeof row?.config?.clientId === "string" ? row.config.clientId : undefined;
  };
}

/** `olds`: the recorded connections; `news`: the program's, as configured now. Returns the new record. */
export async function checkUserLinkGuard(
  olds: Partial<UserLinkGuardRecord> | undefined,
  news: Partial<UserLinkGuardInputs>,
): Promise<pulumi.dynamic.CheckResult<UserLinkGuardRecord>> {
  const connections = guardedIn(news);
  const { refused, accepted } = await reviewUserLinks(guardedIn(olds), connections, liveClientIds());
  // Said at preview and again at up: the person running either sees what the change costs.
  accepted.forEach(notice);
  return {
    inputs: { connections: connections.map(recorded) },
    failures: refused.map((reason) => ({ property: "", reason })),
  };
}

/**
 * The digest of what the record keys the users on (objects' keys sorted). Only that counts: the opt-in (it matters
 * only to the change it is set for), the entry's place and former names (an older record has them) are no update.
 */
export function recordDigest(record: Partial<UserLinkGuardRecord>): string {
  const sorted = (_key: string, value: unknown) =>
    value && typeof value === "object" && !Array.isArray(value)
      ? Object.fromEntries(Object.entries(value).sort())
      : value;
  return createHash("sha256")
    .update(JSON.stringify(guardedIn(record).map(recorded), sorted))
    .digest("base64url");
}

/** `olds`: the outputs, a digest (or, written before 2026-12-08, the record); `news`: the record check returned. */
export function diffUserLinkGuard(olds: UserLinkGuardOutputs, news: UserLinkGuardRecord): pulumi.dynamic.DiffResult {
  return { changes: ("recordDigest" in olds ? olds.recordDigest : recordDigest(olds)) !== recordDigest(news) };
}
