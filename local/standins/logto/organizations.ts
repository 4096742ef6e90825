/**
 * Organizations and the organization template (roles, scopes), their memberships and just-in-time provisioning,
 * as Logto keeps them (logto-io/logto packages/schemas/tables/organization*.sql): relation tables whose foreign
 * keys cascade on delete, so deleting an organization removes its memberships, member roles and JIT settings;
 * deleting a role or scope removes its links; deleting a user or SSO connector removes theirs.
 */
import { ApiError } from "./http";

export interface OrganizationRow {
  tenantId: string;
  id: string;
  name: string;
  description: string | null;
  customData: Record<string, unknown>;
  isMfaRequired: boolean;
  color: Record<string, unknown>;
  branding: Record<string, unknown>;
  customCss: string | null;
  createdAt: number;
}

export type OrganizationRoleType = "User" | "MachineToMachine";

export interface OrganizationRoleRow {
  tenantId: string;
  id: string;
  name: string;
  description: string | null;
  type: OrganizationRoleType;
}

export interface OrganizationScopeRow {
  tenantId: string;
  id: string;
  name: string;
  description: string | null;
}

/** 422 for a relation row whose referenced row is missing (a foreign key), as Logto's organization routes answer. */
export const foreignKeyNotFound = (): ApiError =>
  new ApiError(422, {
    code: "entity.relation_foreign_key_not_found",
    message:
      "Cannot find one or more foreign keys. Please check the input and ensure that all referenced entities exist.",
  });

/** 422 for a second row where a unique constraint allows one (a role or scope name, an email domain). */
export const uniqueViolation = (): ApiError =>
  new ApiError(422, {
    code: "entity.unique_integrity_violation",
    message: "The entity already exists. Please check the input and try again.",
  });

/** 404 of a DELETE that matched no row (slonik `DeletionError`), also of `findById` queries that use `pool.one`. */
export const notFound = (): ApiError =>
  new ApiError(404, { code: "entity.not_found", message: "The resource does not exist." });

/** 404 of a PATCH of a missing row (`UpdateError`, named by the table's singular). */
export const notExists = (tableSingular: string): ApiError =>
  new ApiError(404, { code: "entity.not_exists", message: `The ${tableSingular} does not exist.` });

/** A relation table: rows of ids, one per distinct combination (its primary key), in insertion order. */
export class Relation<Key extends string> {
  private rows: Record<Key, string>[] = [];

  constructor(private readonly keys: readonly Key[]) {}

  private same(a: Record<Key, string>, b: Partial<Record<Key, string>>): boolean {
    return this.keys.every((key) => b[key] === undefined || a[key] === b[key]);
  }

  where(filter: Partial<Record<Key, string>>): Record<Key, string>[] {
    return this.rows.filter((row) => this.same(row, filter));
  }

  has(row: Record<Key, string>): boolean {
    return this.where(row).length > 0;
  }

  /** `insert … on conflict do nothing`. */
  insert(rows: Record<Key, string>[]): void {
    for (const row of rows) if (!this.has(row)) this.rows.push({ ...row });
  }

  /** Throws `entity.not_found` when no row matched, as a DELETE by key does. */
  deleteOne(filter: Record<Key, string>): void {
    if (!this.has(filter)) throw notFound();
    this.deleteWhere(filter);
  }

  deleteWhere(filter: Partial<Record<Key, string>>): void {
    this.rows = this.rows.filter((row) => !this.same(row, filter));
  }

  /** Replaces the rows matching `filter` by `rows`, in one step. */
  replace(filter: Partial<Record<Key, string>>, rows: Record<Key, string>[]): void {
    this.deleteWhere(filter);
    this.insert(rows);
  }

  clear(): void {
    this.rows = [];
  }
}

export class OrganizationStore {
  readonly organizations = new Map<string, OrganizationRow>();
  readonly roles = new Map<string, OrganizationRoleRow>();
  readonly scopes = new Map<string, OrganizationScopeRow>();
  readonly roleScopes = new Relation(["organizationRoleId", "organizationScopeId"] as const);
  readonly members = new Relation(["organizationId", "userId"] as const);
  readonly memberRoles = new Relation(["organizationId", "organizationRoleId", "userId"] as const);
  readonly jitSsoConnectors = new Relation(["organizationId", "ssoConnectorId"] as const);
  readonly jitRoles = new Relation(["organizationId", "organizationRoleId"] as const);
  /** Email domains as given (case kept); unique per organization. */
  readonly jitEmailDomains = new Relation(["organizationId", "emailDomain"] as const);

  roleByName(name: string): OrganizationRoleRow | undefined {
    return [...this.roles.values()].find((role) => role.name === name);
  }

  scopeByName(name: string): OrganizationScopeRow | undefined {
    return [...this.scopes.values()].find((scope) => scope.name === name);
  }

  /** The organization's members' role rows cascade with the membership (`organization_role_user_relations`). */
  removeMember(organizationId: string, userId: string): void {
    this.members.deleteWhere({ organizationId, userId });
    this.memberRoles.deleteWhere({ organizationId, userId });
  }

  deleteOrganization(id: string): void {
    this.organizations.delete(id);
    this.members.deleteWhere({ organizationId: id });
    this.memberRoles.deleteWhere({ organizationId: id });
    this.jitSsoConnectors.deleteWhere({ organizationId: id });
    this.jitRoles.deleteWhere({ organizationId: id });
    this.jitEmailDomains.deleteWhere({ organizationId: id });
  }

  deleteRole(id: string): void {
    this.roles.delete(id);
    this.roleScopes.deleteWhere({ organizationRoleId: id });
    this.memberRoles.deleteWhere({ organizationRoleId: id });
    this.jitRoles.deleteWhere({ organizationRoleId: id });
  }

  deleteScope(id: string): void {
    this.scopes.delete(id);
    this.roleScopes.deleteWhere({ organizationScopeId: id });
  }

  deleteUser(userId: string): void {
    this.members.deleteWhere({ userId });
    this.memberRoles.deleteWhere({ userId });
  }

  deleteConnector(ssoConnectorId: string): void {
    this.jitSsoConnectors.deleteWhere({ ssoConnectorId });
  }

  /** The organization roles of a member, by name (Logto orders them so in its claims and lists). */
  memberRolesOf(organizationId: string, userId: string): OrganizationRoleRow[] {
    return this.memberRoles
      .where({ organizationId, userId })
      .flatMap(({ organizationRoleId }) => this.roles.get(organizationRoleId) ?? [])
      .sort((a, b) => a.name.localeCompare(b.name));
  }

  /**
   * Just-in-time provisioning by SSO connector: the user joins every organization that lists the connector,
   * with that organization's JIT roles; memberships and roles already there stay (`on conflict do nothing`).
   * Logto runs it when an SSO identity is added to a user, a new one or an existing one linked by email
   * (libraries/user.ts `provisionOrganizations`, provision-library.ts `addSsoIdentityToUser`), never for a
   * returning identity. Returns the organizations the user newly joined.
   */
  provisionBySsoConnector(userId: string, ssoConnectorId: string): string[] {
    const organizationIds = this.jitSsoConnectors.where({ ssoConnectorId }).map((row) => row.organizationId);
    const joined = organizationIds.filter((organizationId) => !this.members.has({ organizationId, userId }));
    this.members.insert(organizationIds.map((organizationId) => ({ organizationId, userId })));
    this.memberRoles.insert(
      organizationIds.flatMap((organizationId) =>
        this.jitRoles
          .where({ organizationId })
          .map(({ organizationRoleId }) => ({ organizationId, organizationRoleId, userId })),
      ),
    );
    return joined;
  }

  organizationIdsOf(userId: string): string[] {
    return this.members.where({ userId }).map((row) => row.organizationId);
  }

  reset(): void {
    this.organizations.clear();
    this.roles.clear();
    this.scopes.clear();
    for (const relation of [
      this.roleScopes,
      this.members,
      this.memberRoles,
      this.jitSsoConnectors,
      this.jitRoles,
      this.jitEmailDomains,
    ]) {
      relation.clear();
    }
  }
}
