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

export interface UserLinkGuardInputs {
  connections: GuardedConnection[];
}

export type UserLinkGuardOutputs = UserLinkGuardInputs;

/** Guard state is a plain record; the record of a state without it is empty. */
export function guardedIn(props: Partial<UserLinkGuardInputs> | undefined): GuardedConnection[] {
  return Array.isArray(props?.connections) ? props.connections : [];
}
