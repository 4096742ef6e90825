/**
 * The user-link guard's record. What Logto finds a connection's users by, recorded per connection, and a refusal of every change that would
 * lose them. Logto finds a returning SSO user by the ID token's issuer and subject
 * (`user_sso_identities`, logto-io/logto packages/schemas/tables/user_sso_identities.sql, one row per
 * (issuer, identity_id)), and Entra's subject is pairwise: it differs per app registration. So a new issuer
 * (another tenant, single ↔ multi-tenant, another cloud) or a new app registration re-keys every user, as a
 * replaced connector does (its identities are deleted with it: `on delete cascade`).
 *
 * The guard is registered before anything of the connections and everything of theirs depends on it, so a
 * refused change stops a `pulumi up` before the first Entra or Logto call, with or without a preview.
 */
/** One connection as the guard records it: plain config values, nothing secret. */
export interface GuardedConnection {
  /** The connection's name; its resources are named after it. */
  name: string;
  /** Names it had before: a rename with them keeps every resource. */
  formerNames: string[];
  /** Where it is in the stack config, for messages: `logto-entra-sso:connections[0]`. */
  field: string;
  connectorName: string;
  domains: string[];
  /** The issuer the connector trusts. */
  issuer: string;
  /** Whose app registration the users' subjects are pairwise to: `managed` (the stack's) or `provided:<client id>`. */
  appRegistration: string;
  /** The settings issuer and appRegistration are made of (tenantId, signInAudience, mode, clientId), by name. */
  keySettings: { [setting: string]: string };
  /** Managed only: the stack leaves its app registration in Entra when it stops managing it. */
  keepsAppRegistration: boolean;
  /** Accept a change that re-keys the users. */
  allowUserRelink: boolean;
}

/** What the program gives the guard: the connections as configured now. */
export interface UserLinkGuardInputs {
  connections: GuardedConnection[];
}

/**
 * What the guard keeps of a connection in the state: what its users are keyed on. Where the entry sits in the
 * config, its former names and the opt-in serve only the change being checked, and are read from the new config
 * then; they stay out of the state (every byte of it is written again around every step of an `up`).
 */
export type RecordedConnection = Omit<GuardedConnection, "field" | "formerNames" | "allowUserRelink">;

/** The guard's inputs in the state; an older state's record may still carry the fields a record now leaves out. */
export interface UserLinkGuardRecord {
  connections: RecordedConnection[];
}

/** The guard's outputs: a digest of the record in its inputs (a state written before 2026-12-08: the record). */
export type UserLinkGuardOutputs = { recordDigest: string } | UserLinkGuardRecord;

/** Guard state is a plain record; the record of a state without it is empty. */
export function guardedIn<Connection extends RecordedConnection>(
  props: { connections?: Connection[] } | undefined,
): Connection[] {
  return Array.isArray(props?.connections) ? props.connections : [];
}

/** A connection as the state records it. */
export function recorded(connection: RecordedConnection & Partial<GuardedConnection>): RecordedConnection {
  const { field: _field, formerNames: _formerNames, allowUserRelink: _optIn, ...kept } = connection;
  return kept;
}
