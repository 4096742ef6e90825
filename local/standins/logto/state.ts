import defaultSignInExperience from "./data/sign-in-experience.json";
import { OrganizationStore } from "./organizations";

export const tenantId = "default";

export const applicationTypes = ["Native", "SPA", "Traditional", "MachineToMachine", "Protected", "SAML"] as const;
export type ApplicationType = (typeof applicationTypes)[number];

export interface OidcClientMetadata {
  redirectUris: string[];
  postLogoutRedirectUris: string[];
  backchannelLogoutUri?: string;
  backchannelLogoutSessionRequired?: boolean;
  logoUri?: string;
}

/** An `applications` row as the API returns it (02-*). */
export interface ApplicationRow {
  tenantId: string;
  id: string;
  name: string;
  description: string | null;
  type: ApplicationType;
  oidcClientMetadata: OidcClientMetadata;
  customClientMetadata: Record<string, unknown>;
  protectedAppMetadata: null;
  customData: Record<string, unknown>;
  isThirdParty: boolean;
  appLevelAccessControlEnabled: boolean;
  createdAt: number;
}

/** An `application_secrets` row (04-*, 20-*). */
export interface AppSecretRow {
  tenantId: string;
  applicationId: string;
  name: string;
  value: string;
  createdAt: number;
  expiresAt: number | null;
}

export interface SsoConnectorBranding {
  displayName?: string;
  logo?: string;
  darkLogo?: string;
}

/** An `sso_connectors` row: the POST response (07-*). */
export interface SsoConnectorRow {
  tenantId: string;
  id: string;
  providerName: string;
  connectorName: string;
  config: Record<string, unknown>;
  domains: string[];
  branding: SsoConnectorBranding;
  syncProfile: boolean;
  enableTokenStorage: boolean;
  createdAt: number;
}

/**
 * A `users` row (logto-io/logto packages/schemas/tables/users.sql), the columns the Management API shows
 * (`userInfoSelectFields`, packages/schemas/src/types/user.ts). Users here are made by enterprise SSO
 * sign-ins, so there is never a password, a phone or a social identity.
 */
export interface UserRow {
  tenantId: string;
  id: string;
  username: string | null;
  primaryEmail: string | null;
  primaryPhone: string | null;
  name: string | null;
  avatar: string | null;
  /** Additional OIDC standard claims (`profile` column). */
  profile: Record<string, unknown>;
  /** Social identities (`identities` column); enterprise SSO ones are `user_sso_identities` rows. */
  identities: Record<string, unknown>;
  customData: Record<string, unknown>;
  applicationId: string | null;
  cimdClientId: string | null;
  isSuspended: boolean;
  lastSignInAt: number | null;
  createdAt: number;
  updatedAt: number;
}

/** A user row with the columns' defaults (users.sql) for what `fields` leaves out. */
export function userRow(fields: Pick<UserRow, "id" | "createdAt"> & Partial<UserRow>): UserRow {
  return {
    tenantId,
    username: null,
    primaryEmail: null,
    primaryPhone: null,
    name: null,
    avatar: null,
    profile: {},
    identities: {},
    customData: {},
    applicationId: null,
    cimdClientId: null,
    isSuspended: false,
    lastSignInAt: null,
    updatedAt: fields.createdAt,
    ...fields,
  };
}

/**
 * A `user_sso_identities` row (packages/schemas/tables/user_sso_identities.sql): an enterprise SSO account
 * linked to a user, found again by (issuer, identityId), unique per tenant. `ssoConnectorId` and `userId`
 * reference their rows `on delete cascade`: deleting the connector or the user deletes the link.
 */
export interface UserSsoIdentityRow {
  tenantId: string;
  id: string;
  userId: string;
  /** The connector's issuer as configured (OIDC) when the identity was made. */
  issuer: string;
  /** The IdP's `sub` for the user. */
  identityId: string;
  /** The user info the connector got from the IdP at the last sign-in. */
  detail: Record<string, unknown>;
  createdAt: number;
  updatedAt: number;
  ssoConnectorId: string;
}

/** A `logs` row (packages/schemas/tables/logs.sql): the audit log, `payload` as koa-audit-log.ts writes it. */
export interface LogRow {
  tenantId: string;
  id: string;
  key: string;
  payload: Record<string, unknown> & { key: string; result: "Success" | "Error" };
  createdAt: number;
}

/** The default sign-in experience (11-*); the stand-in only interprets `singleSignOnEnabled`. */
export type SignInExperience = Record<string, unknown> & { singleSignOnEnabled: boolean };

/**
 * The stand-in's data, live: tests read it and may change it by hand to simulate console edits (drift).
 * Lists come out newest first, as Logto orders them. The M2M app tokens are issued to is not a row here
 * (its credentials are the stand-in's options), so the tenant starts empty.
 */
export class LogtoState {
  readonly ssoConnectors = new Map<string, SsoConnectorRow>();
  readonly applications = new Map<string, ApplicationRow>();
  /** Secrets per application id, in creation order. */
  readonly appSecrets = new Map<string, AppSecretRow[]>();
  /** Applications holding Logto's internal admin role (`isAdmin` on GET /api/applications/{id}). */
  readonly adminApplicationIds = new Set<string>();
  signInExperience: SignInExperience = structuredClone(defaultSignInExperience);
  /** Users, by id: created by enterprise SSO sign-ins. */
  readonly users = new Map<string, UserRow>();
  readonly userSsoIdentities: UserSsoIdentityRow[] = [];
  /** The audit log, oldest first. */
  readonly logs: LogRow[] = [];
  /** Organizations, the organization template, memberships and JIT provisioning. */
  readonly organizations = new OrganizationStore();

  connectorByName(connectorName: string): SsoConnectorRow | undefined {
    return [...this.ssoConnectors.values()].find((row) => row.connectorName === connectorName);
  }

  applicationByName(name: string): ApplicationRow | undefined {
    return [...this.applications.values()].find((row) => row.name === name);
  }

  secretsOf(applicationId: string): AppSecretRow[] {
    let secrets = this.appSecrets.get(applicationId);
    if (!secrets) {
      secrets = [];
      this.appSecrets.set(applicationId, secrets);
    }
    return secrets;
  }

  /** Deletes a connector and, as the foreign key's `on delete cascade` does, every SSO identity linked through it. */
  deleteConnector(id: string): void {
    this.ssoConnectors.delete(id);
    this.removeIdentities((row) => row.ssoConnectorId === id);
    this.organizations.deleteConnector(id);
  }

  /** Deletes a user and (cascade) the user's SSO identities. */
  deleteUser(id: string): void {
    this.users.delete(id);
    this.removeIdentities((row) => row.userId === id);
    this.organizations.deleteUser(id);
  }

  identitiesOf(userId: string): UserSsoIdentityRow[] {
    return this.userSsoIdentities.filter((row) => row.userId === userId);
  }

  private removeIdentities(matches: (row: UserSsoIdentityRow) => boolean): void {
    const kept = this.userSsoIdentities.filter((row) => !matches(row));
    this.userSsoIdentities.splice(0, this.userSsoIdentities.length, ...kept);
  }

  /** Back to an empty tenant with the default sign-in experience. */
  reset(): void {
    this.ssoConnectors.clear();
    this.applications.clear();
    this.appSecrets.clear();
    this.adminApplicationIds.clear();
    this.users.clear();
    this.userSsoIdentities.length = 0;
    this.logs.length = 0;
    this.organizations.reset();
    this.signInExperience = structuredClone(defaultSignInExperience);
  }
}

/** Newest first, ties broken by insertion order (newest inserted first), like Logto's `created_at desc`. */
export function newestFirst<Row extends { createdAt: number }>(rows: Iterable<Row>): Row[] {
  return [...rows].reverse().sort((a, b) => b.createdAt - a.createdAt);
}
