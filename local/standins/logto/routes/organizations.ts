/**
 * `/api/organizations`: the organizations, their members and members' roles, and their just-in-time
 * provisioning settings, as logto-io/logto packages/core/src/routes/organization/ serves them (index.ts,
 * user/index.ts, user/role-relations.ts, jit/*; SchemaRouter `addRelationRoutes`), plus
 * `GET /api/users/{id}/organizations` (admin-user/organization.ts). Recorded in test/logto-contract/04-10*.
 *
 * - Relation lists (members' roles, JIT connectors, roles, email domains) come in primary-key order, as the
 *   recorded Logto returned them; a PUT replaces the whole set in one step, and refuses it whole (422
 *   `entity.relation_foreign_key_not_found`) when an id is unknown, leaving the old set (05e, 03m).
 * - A POST of a link that exists is a no-op 201 (`on conflict do nothing`), except an email domain (422).
 * - Deleting an organization removes its memberships and JIT settings (the tables' `on delete cascade`).
 */
import { array, boolean, guardBody, nullable, object, optional, record, string } from "../guard";
import { ApiError, notExistsWithId } from "../http";
import { newOrganizationId } from "../ids";
import {
  foreignKeyNotFound,
  notExists,
  notFound,
  type OrganizationRow,
  type OrganizationStore,
} from "../organizations";
import { newestFirst, tenantId, type UserRow } from "../state";
import type { Route, RouteContext } from "./context";
import { byCodeUnits, created, listPage, nonEmpty, optionalPage, searched } from "./organization-lists";
import { connectorRowJson } from "./sso-connector-config";
import { userJson } from "./users";

const description = optional(nullable(string({ max: 256 })));
// Key order decides the order of reported issues; `name` is the only required key (04c).
const organizationFields = {
  name: string({ min: 1, max: 128 }),
  description,
  customData: optional(record()),
  isMfaRequired: optional(boolean()),
  color: optional(record()),
  branding: optional(record()),
  customCss: optional(nullable(string())),
};
const createSchema = object(organizationFields);
const patchSchema = object({ ...organizationFields, name: optional(organizationFields.name) });
const ids = array(string({ min: 1 }));

const store = (context: RouteContext): OrganizationStore => context.state.organizations;

function existingOrganization(context: RouteContext): OrganizationRow {
  const organization = store(context).organizations.get(context.params[0]);
  if (!organization) throw notExistsWithId("organizations", context.params[0]);
  return organization;
}

// --- organizations

function listOrganizations(context: RouteContext) {
  const organizations = store(context);
  const rows = searched(newestFirst(organizations.organizations.values()), context.query, ["id", "name"]);
  const page = listPage(rows, context, { required: true });
  if (!["1", "true", "yes", "y"].includes(context.query.get("showFeatured")?.toLowerCase() ?? "")) return page;
  // `showFeatured`: the member count and up to three members (user-relations.ts `getFeatured`).
  const featured = (organization: OrganizationRow) => {
    const members = membersOf(context, organization.id);
    const featuredUsers = members.slice(0, 3).map(({ id, avatar, name }) => ({ id, avatar, name }));
    return { ...organization, usersCount: members.length, featuredUsers };
  };
  return { ...page, body: (page.body as OrganizationRow[]).map(featured) };
}

function createOrganization(context: RouteContext) {
  const body = guardBody(createSchema, context.body);
  const organization: OrganizationRow = {
    tenantId,
    id: newOrganizationId(),
    name: body.name,
    description: body.description ?? null,
    customData: body.customData ?? {},
    isMfaRequired: body.isMfaRequired ?? false,
    color: body.color ?? {},
    branding: body.branding ?? {},
    customCss: body.customCss ?? null,
    createdAt: Date.now(),
  };
  store(context).organizations.set(organization.id, organization);
  return { status: 201, body: organization };
}

function patchOrganization(context: RouteContext) {
  const body = guardBody(patchSchema, context.body);
  const organization = store(context).organizations.get(context.params[0]);
  if (!organization) throw notExists("organization");
  Object.assign(organization, body);
  return { status: 200, body: organization };
}

function deleteOrganization(context: RouteContext) {
  if (!store(context).organizations.has(context.params[0])) throw notFound();
  store(context).deleteOrganization(context.params[0]);
  return { status: 204 };
}

// --- members

/** The members, ordered by user id (user-relations.ts `getUsersByOrganizationId`). */
function membersOf(context: RouteContext, organizationId: string): UserRow[] {
  return store(context)
    .members.where({ organizationId })
    .flatMap(({ userId }) => context.state.users.get(userId) ?? [])
    .sort(byCodeUnits("id"));
}

const roleRefs = (context: RouteContext, organizationId: string, userId: string) =>
  store(context)
    .memberRolesOf(organizationId, userId)
    .map(({ id, name }) => ({ id, name }));

/**
 * Members with their organization roles; a missing organization is an empty list (10c). `organizationRoleId`:
 * only members holding that role in it (user-relations.ts `getUsersByOrganizationId`, test/logto-contract/13b).
 */
function listMembers(context: RouteContext) {
  const organizationId = context.params[0];
  const roleId = context.query.get("organizationRoleId");
  const holders = membersOf(context, organizationId).filter(
    (user) =>
      !roleId ||
      store(context)
        .memberRolesOf(organizationId, user.id)
        .some(({ id }) => id === roleId),
  );
  const rows = holders.map((user) => {
    const { hasPassword: _hasPassword, ...fields } = userJson(user);
    return { ...fields, organizationRoles: roleRefs(context, organizationId, user.id) };
  });
  return listPage(rows, context, { required: true });
}

function checkMemberRefs(context: RouteContext, organizationId: string, userIds: string[]): void {
  const known = store(context).organizations.has(organizationId) && userIds.every((id) => context.state.users.has(id));
  if (!known) throw foreignKeyNotFound();
}

function addMembers(context: RouteContext) {
  const { userIds } = guardBody(object({ userIds: nonEmpty(ids) }), context.body);
  const organizationId = context.params[0];
  checkMemberRefs(context, organizationId, userIds);
  store(context).members.insert(userIds.map((userId) => ({ organizationId, userId })));
  // Echoes the body as sent (duplicates included).
  return { status: 201, body: { userIds } };
}

function replaceMembers(context: RouteContext) {
  const { userIds } = guardBody(object({ userIds: ids }), context.body);
  const organizationId = context.params[0];
  if (userIds.length > 0) checkMemberRefs(context, organizationId, userIds);
  const organizations = store(context);
  for (const { userId } of organizations.members.where({ organizationId })) {
    if (!userIds.includes(userId)) organizations.removeMember(organizationId, userId);
  }
  organizations.members.insert(userIds.map((userId) => ({ organizationId, userId })));
  return { status: 204 };
}

function removeMember(context: RouteContext) {
  const [organizationId, userId] = context.params;
  store(context).members.deleteOne({ organizationId, userId });
  store(context).removeMember(organizationId, userId);
  return { status: 204 };
}

// --- a member's roles

/** Every `/users/{userId}/roles…` route first requires the membership (422 `organization.require_membership`). */
function requireMembership(context: RouteContext): [string, string] {
  const [organizationId, userId] = context.params;
  if (!store(context).members.has({ organizationId, userId })) {
    throw new ApiError(422, {
      code: "organization.require_membership",
      message: "The user must be a member of the organization to proceed.",
    });
  }
  return [organizationId, userId];
}

const memberRolesSchema = object({
  organizationRoleIds: optional(ids),
  organizationRoleNames: optional(array(string({ min: 1 }))),
});

/** Role ids plus the ids of the named roles, deduplicated; unknown names are 422 `organization.role_names_not_found`. */
function wantedRoleIds(context: RouteContext): string[] {
  const { organizationRoleIds = [], organizationRoleNames = [] } = guardBody(memberRolesSchema, context.body);
  const organizations = store(context);
  const missing = organizationRoleNames.filter((name) => !organizations.roleByName(name));
  if (missing.length > 0) {
    throw new ApiError(422, {
      code: "organization.role_names_not_found",
      message: `Invalid role names detected: ${missing.join(", ")}. Please create these roles first before proceeding.`,
    });
  }
  const fromNames = organizationRoleNames.flatMap((name) => organizations.roleByName(name)?.id ?? []);
  const roleIds = [...new Set([...organizationRoleIds, ...fromNames])];
  if (roleIds.some((id) => !organizations.roles.has(id))) throw foreignKeyNotFound();
  return roleIds;
}

const memberRoleRows = (organizationId: string, userId: string, roleIds: string[]) =>
  roleIds.map((organizationRoleId) => ({ organizationId, organizationRoleId, userId }));

function listMemberRoles(context: RouteContext) {
  const [organizationId, userId] = requireMembership(context);
  const organizations = store(context);
  const roles = organizations.memberRoles
    .where({ organizationId, userId })
    .flatMap(({ organizationRoleId }) => organizations.roles.get(organizationRoleId) ?? [])
    .sort(byCodeUnits("id"));
  return optionalPage(roles, context);
}

function addMemberRoles(context: RouteContext) {
  const [organizationId, userId] = requireMembership(context);
  const roleIds = wantedRoleIds(context);
  store(context).memberRoles.insert(memberRoleRows(organizationId, userId, roleIds));
  return { status: 201, body: { organizationRoleIds: roleIds } };
}

function replaceMemberRoles(context: RouteContext) {
  const [organizationId, userId] = requireMembership(context);
  const roleIds = wantedRoleIds(context);
  store(context).memberRoles.replace({ organizationId, userId }, memberRoleRows(organizationId, userId, roleIds));
  return { status: 204 };
}

function removeMemberRole(context: RouteContext) {
  const [organizationId, userId] = requireMembership(context);
  store(context).memberRoles.deleteOne({ organizationId, organizationRoleId: context.params[2], userId });
  return { status: 204 };
}

/** The organization scopes of the member's roles, each once, by id (`select distinct on (id)`). */
function listMemberScopes(context: RouteContext) {
  const [organizationId, userId] = requireMembership(context);
  const organizations = store(context);
  const scopeIds = new Set(
    organizations
      .memberRolesOf(organizationId, userId)
      .flatMap((role) =>
        organizations.roleScopes.where({ organizationRoleId: role.id }).map((row) => row.organizationScopeId),
      ),
  );
  const scopes = [...scopeIds].flatMap((id) => organizations.scopes.get(id) ?? []).sort(byCodeUnits("id"));
  return { status: 200, body: scopes };
}

/** `GET /api/users/{id}/organizations`: each organization with the user's roles in it (no pagination). */
function listUserOrganizations(context: RouteContext) {
  const userId = context.params[0];
  if (!context.state.users.has(userId)) throw notExistsWithId("users", userId);
  const organizations = store(context);
  const body = organizations
    .organizationIdsOf(userId)
    .flatMap((id) => organizations.organizations.get(id) ?? [])
    .map((organization) => ({ ...organization, organizationRoles: roleRefs(context, organization.id, userId) }));
  return { status: 200, body };
}

// --- just-in-time provisioning

/** A JIT relation (`jit/sso-connectors`, `jit/roles`): list, add, replace whole, remove one. */
function jitRelationRoutes(
  pathname: string,
  idsKey: "ssoConnectorIds" | "organizationRoleIds",
  relation: (organizations: OrganizationStore) => {
    where(filter: { organizationId: string }): Record<string, string>[];
    insert(rows: Record<string, string>[]): void;
    replace(filter: { organizationId: string }, rows: Record<string, string>[]): void;
    deleteOne(filter: Record<string, string>): void;
  },
  column: "ssoConnectorId" | "organizationRoleId",
  rowsOf: (context: RouteContext, linkedIds: string[]) => unknown[],
  exists: (context: RouteContext, id: string) => boolean,
): Route[] {
  const collection = new RegExp(`^/api/organizations/([^/]+)/jit/${pathname}$`);
  const rowsFor = (organizationId: string, linked: string[]) => linked.map((id) => ({ organizationId, [column]: id }));
  const checkRefs = (context: RouteContext, linked: string[]) => {
    const known = store(context).organizations.has(context.params[0]) && linked.every((id) => exists(context, id));
    if (!known) throw foreignKeyNotFound();
  };
  return [
    {
      method: "GET",
      pattern: collection,
      handle: (context) => {
        const organizationId = existingOrganization(context).id;
        const linked = relation(store(context))
          .where({ organizationId })
          .map((row) => row[column])
          .sort();
        return optionalPage(rowsOf(context, linked), context);
      },
    },
    {
      method: "POST",
      pattern: collection,
      handle: (context) => {
        const linked = guardBody(object({ [idsKey]: nonEmpty(ids) }), context.body)[idsKey];
        checkRefs(context, linked);
        relation(store(context)).insert(rowsFor(context.params[0], linked));
        return created();
      },
    },
    {
      method: "PUT",
      pattern: collection,
      handle: (context) => {
        const linked = guardBody(object({ [idsKey]: ids }), context.body)[idsKey];
        if (linked.length > 0) checkRefs(context, linked);
        relation(store(context)).replace({ organizationId: context.params[0] }, rowsFor(context.params[0], linked));
        return { status: 204 };
      },
    },
    {
      method: "DELETE",
      pattern: new RegExp(`^/api/organizations/([^/]+)/jit/${pathname}/([^/]+)$`),
      handle: (context) => {
        relation(store(context)).deleteOne({ organizationId: context.params[0], [column]: context.params[1] });
        return { status: 204 };
      },
    },
  ];
}

const jitConnectorRoutes = jitRelationRoutes(
  "sso-connectors",
  "ssoConnectorIds",
  (organizations) => organizations.jitSsoConnectors,
  "ssoConnectorId",
  (context, linked) =>
    linked.flatMap((id) => {
      const connector = context.state.ssoConnectors.get(id);
      return connector ? [connectorRowJson(connector)] : [];
    }),
  (context, id) => context.state.ssoConnectors.has(id),
);

const jitRoleRoutes = jitRelationRoutes(
  "roles",
  "organizationRoleIds",
  (organizations) => organizations.jitRoles,
  "organizationRoleId",
  (context, linked) => linked.flatMap((id) => store(context).roles.get(id) ?? []),
  (context, id) => store(context).roles.has(id),
);

const emailDomainRows = (context: RouteContext) =>
  store(context)
    .jitEmailDomains.where({ organizationId: context.params[0] })
    .map(({ organizationId, emailDomain }) => ({ tenantId, organizationId, emailDomain }))
    .sort(byCodeUnits("emailDomain"));

/** Email domains: stored as given (case kept), no check that the organization exists on GET (10d). */
const jitEmailDomainRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/organizations\/([^/]+)\/jit\/email-domains$/,
    handle: (context) => optionalPage(emailDomainRows(context), context),
  },
  {
    method: "POST",
    pattern: /^\/api\/organizations\/([^/]+)\/jit\/email-domains$/,
    handle: (context) => {
      const { emailDomain } = guardBody(object({ emailDomain: string({ min: 1 }) }), context.body);
      const organizationId = context.params[0];
      if (!store(context).organizations.has(organizationId)) throw foreignKeyNotFound();
      if (store(context).jitEmailDomains.has({ organizationId, emailDomain })) {
        throw new ApiError(422, {
          code: "entity.unique_integrity_violation",
          message: "The entity already exists. Please check the input and try again.",
        });
      }
      store(context).jitEmailDomains.insert([{ organizationId, emailDomain }]);
      return { status: 201, body: { tenantId, organizationId, emailDomain } };
    },
  },
  {
    method: "PUT",
    pattern: /^\/api\/organizations\/([^/]+)\/jit\/email-domains$/,
    handle: (context) => {
      const { emailDomains } = guardBody(object({ emailDomains: array(string()) }), context.body);
      const organizationId = context.params[0];
      if (emailDomains.length > 0 && !store(context).organizations.has(organizationId)) throw foreignKeyNotFound();
      if (new Set(emailDomains).size !== emailDomains.length) {
        throw new ApiError(422, {
          code: "entity.unique_integrity_violation",
          message: "The entity already exists. Please check the input and try again.",
        });
      }
      const rows = emailDomains.map((emailDomain) => ({ organizationId, emailDomain }));
      store(context).jitEmailDomains.replace({ organizationId }, rows);
      return { status: 204 };
    },
  },
  {
    method: "DELETE",
    pattern: /^\/api\/organizations\/([^/]+)\/jit\/email-domains\/([^/]+)$/,
    handle: (context) => {
      const [organizationId, emailDomain] = context.params;
      store(context).jitEmailDomains.deleteOne({ organizationId, emailDomain });
      return { status: 204 };
    },
  },
];

const organizationPath = /^\/api\/organizations\/([^/]+)$/;
const membersPath = /^\/api\/organizations\/([^/]+)\/users$/;
const memberRolesPath = /^\/api\/organizations\/([^/]+)\/users\/([^/]+)\/roles$/;

export const organizationRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/organizations$/, handle: listOrganizations },
  { method: "POST", pattern: /^\/api\/organizations$/, handle: createOrganization },
  {
    method: "GET",
    pattern: organizationPath,
    handle: (context) => ({ status: 200, body: existingOrganization(context) }),
  },
  { method: "PATCH", pattern: organizationPath, handle: patchOrganization },
  { method: "DELETE", pattern: organizationPath, handle: deleteOrganization },
  { method: "GET", pattern: membersPath, handle: listMembers },
  { method: "POST", pattern: membersPath, handle: addMembers },
  { method: "PUT", pattern: membersPath, handle: replaceMembers },
  { method: "DELETE", pattern: /^\/api\/organizations\/([^/]+)\/users\/([^/]+)$/, handle: removeMember },
  { method: "GET", pattern: memberRolesPath, handle: listMemberRoles },
  { method: "POST", pattern: memberRolesPath, handle: addMemberRoles },
  { method: "PUT", pattern: memberRolesPath, handle: replaceMemberRoles },
  {
    method: "DELETE",
    pattern: /^\/api\/organizations\/([^/]+)\/users\/([^/]+)\/roles\/([^/]+)$/,
    handle: removeMemberRole,
  },
  { method: "GET", pattern: /^\/api\/organizations\/([^/]+)\/users\/([^/]+)\/scopes$/, handle: listMemberScopes },
  { method: "GET", pattern: /^\/api\/users\/([^/]+)\/organizations$/, handle: listUserOrganizations },
  ...jitConnectorRoutes,
  ...jitRoleRoutes,
  ...jitEmailDomainRoutes,
];
