/**
 * The organization template: `/api/organization-scopes` and `/api/organization-roles` with their scopes, as
 * logto-io/logto packages/core/src/routes/organization-scope/index.ts and organization-role/index.ts serve them
 * (SchemaRouter + `addRelationRoutes`), recorded in test/logto-contract/01-03*. Names are unique per tenant (422
 * `entity.unique_integrity_violation`); lists are ordered by name, paginated (roles: always, page 1 of 20 by
 * default; scopes: only when a page is asked, `isPaginationOptional`), searched
 * by `q` (case-insensitive substring). Each route answers a missing row with the code its query raises: GET by id
 * `entity.not_exists_with_id` (roles: `entity.not_found`, their `findById` is `pool.one`), PATCH
 * `entity.not_exists`, DELETE `entity.not_found`.
 */
import { array, enumOf, guardBody, nullable, object, optional, string } from "../guard";
import { notExistsWithId } from "../http";
import { newRowId } from "../ids";
import {
  foreignKeyNotFound,
  notExists,
  notFound,
  uniqueViolation,
  type OrganizationRoleRow,
  type OrganizationScopeRow,
  type OrganizationStore,
} from "../organizations";
import { tenantId } from "../state";
import type { Route, RouteContext } from "./context";
import { byCodeUnits, created, listPage, nonEmpty, optionalPage, searched } from "./organization-lists";

const name = string({ min: 1, max: 128 });
const description = optional(nullable(string({ max: 256 })));
const idList = array(string({ min: 1 }));

const scopeCreateSchema = object({ name, description });
const scopePatchSchema = object({ name: optional(name), description });
const roleCreateSchema = object({
  name,
  description,
  type: optional(enumOf(["User", "MachineToMachine"] as const)),
  organizationScopeIds: optional(array(string())),
  resourceScopeIds: optional(array(string())),
});
const rolePatchSchema = object({
  name: optional(name),
  description,
  type: optional(enumOf(["User", "MachineToMachine"] as const)),
});

const store = (context: RouteContext): OrganizationStore => context.state.organizations;

function checkNameFree<Row extends { id: string; name: string }>(rows: Map<string, Row>, wanted: string, own?: string) {
  if ([...rows.values()].some((row) => row.name === wanted && row.id !== own)) throw uniqueViolation();
}

/** The scope ids must all exist (the relation's foreign key); none is written otherwise (one transaction). */
function checkScopeIds(organizations: OrganizationStore, ids: string[]): void {
  if (ids.some((id) => !organizations.scopes.has(id))) throw foreignKeyNotFound();
}

const roleScopeRows = (organizationRoleId: string, ids: string[]) =>
  ids.map((organizationScopeId) => ({ organizationRoleId, organizationScopeId }));

// --- scopes

function listScopes(context: RouteContext) {
  const rows = searched([...store(context).scopes.values()], context.query, ["name"]).sort(byCodeUnits("name"));
  return optionalPage(rows, context);
}

function existingScope(context: RouteContext): OrganizationScopeRow {
  const scope = store(context).scopes.get(context.params[0]);
  if (!scope) throw notExistsWithId("organization_scopes", context.params[0]);
  return scope;
}

function createScope(context: RouteContext) {
  const body = guardBody(scopeCreateSchema, context.body);
  checkNameFree(store(context).scopes, body.name);
  const scope: OrganizationScopeRow = {
    tenantId,
    id: newRowId(),
    name: body.name,
    description: body.description ?? null,
  };
  store(context).scopes.set(scope.id, scope);
  return { status: 201, body: scope };
}

function patchScope(context: RouteContext) {
  const body = guardBody(scopePatchSchema, context.body);
  const scope = store(context).scopes.get(context.params[0]);
  if (!scope) throw notExists("organization_scope");
  if (body.name !== undefined) checkNameFree(store(context).scopes, body.name, scope.id);
  Object.assign(scope, body);
  return { status: 200, body: scope };
}

function deleteScope(context: RouteContext) {
  if (!store(context).scopes.has(context.params[0])) throw notFound();
  store(context).deleteScope(context.params[0]);
  return { status: 204 };
}

// --- roles

/** A role in lists: its organization scopes `{id, name}` ordered by id (`json_agg(distinct …)`), no API resources here. */
function roleWithScopes(organizations: OrganizationStore, role: OrganizationRoleRow) {
  const scopes = scopesOfRole(organizations, role.id).map(({ id, name }) => ({ id, name }));
  return { ...role, scopes, resourceScopes: [] };
}

function scopesOfRole(organizations: OrganizationStore, organizationRoleId: string): OrganizationScopeRow[] {
  return organizations.roleScopes
    .where({ organizationRoleId })
    .flatMap(({ organizationScopeId }) => organizations.scopes.get(organizationScopeId) ?? [])
    .sort(byCodeUnits("id"));
}

function listRoles(context: RouteContext) {
  const organizations = store(context);
  const rows = searched([...organizations.roles.values()], context.query, ["id", "name", "description"]).sort(
    byCodeUnits("name"),
  );
  const page = listPage(rows, context, { required: true });
  return { ...page, body: (page.body as OrganizationRoleRow[]).map((role) => roleWithScopes(organizations, role)) };
}

function existingRole(context: RouteContext): OrganizationRoleRow {
  const role = store(context).roles.get(context.params[0]);
  if (!role) throw notFound();
  return role;
}

function createRole(context: RouteContext) {
  const body = guardBody(roleCreateSchema, context.body);
  const organizations = store(context);
  checkNameFree(organizations.roles, body.name);
  const scopeIds = body.organizationScopeIds ?? [];
  checkScopeIds(organizations, scopeIds);
  // The stand-in has no API resources, so any resource scope id is a missing foreign key.
  if ((body.resourceScopeIds ?? []).length > 0) throw foreignKeyNotFound();
  const role: OrganizationRoleRow = {
    tenantId,
    id: newRowId(),
    name: body.name,
    description: body.description ?? null,
    type: body.type ?? "User",
  };
  organizations.roles.set(role.id, role);
  organizations.roleScopes.insert(roleScopeRows(role.id, scopeIds));
  return { status: 201, body: role };
}

function patchRole(context: RouteContext) {
  const body = guardBody(rolePatchSchema, context.body);
  const role = store(context).roles.get(context.params[0]);
  if (!role) throw notExists("organization_role");
  if (body.name !== undefined) checkNameFree(store(context).roles, body.name, role.id);
  Object.assign(role, body);
  return { status: 200, body: role };
}

function deleteRole(context: RouteContext) {
  existingRole(context);
  store(context).deleteRole(context.params[0]);
  return { status: 204 };
}

function listRoleScopes(context: RouteContext) {
  const role = existingRole(context);
  return optionalPage(scopesOfRole(store(context), role.id), context);
}

function addRoleScopes(context: RouteContext) {
  const { organizationScopeIds } = guardBody(object({ organizationScopeIds: nonEmpty(idList) }), context.body);
  const organizations = store(context);
  if (!organizations.roles.has(context.params[0])) throw foreignKeyNotFound();
  checkScopeIds(organizations, organizationScopeIds);
  organizations.roleScopes.insert(roleScopeRows(context.params[0], organizationScopeIds));
  return created();
}

function replaceRoleScopes(context: RouteContext) {
  const { organizationScopeIds } = guardBody(object({ organizationScopeIds: idList }), context.body);
  const organizations = store(context);
  const organizationRoleId = context.params[0];
  if (organizationScopeIds.length > 0 && !organizations.roles.has(organizationRoleId)) throw foreignKeyNotFound();
  checkScopeIds(organizations, organizationScopeIds);
  organizations.roleScopes.replace({ organizationRoleId }, roleScopeRows(organizationRoleId, organizationScopeIds));
  return { status: 204 };
}

function removeRoleScope(context: RouteContext) {
  const [organizationRoleId, organizationScopeId] = context.params;
  store(context).roleScopes.deleteOne({ organizationRoleId, organizationScopeId });
  return { status: 204 };
}

const scopePath = /^\/api\/organization-scopes\/([^/]+)$/;
const rolePath = /^\/api\/organization-roles\/([^/]+)$/;
const roleScopesPath = /^\/api\/organization-roles\/([^/]+)\/scopes$/;

export const organizationTemplateRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/organization-scopes$/, handle: listScopes },
  { method: "POST", pattern: /^\/api\/organization-scopes$/, handle: createScope },
  { method: "GET", pattern: scopePath, handle: (context) => ({ status: 200, body: existingScope(context) }) },
  { method: "PATCH", pattern: scopePath, handle: patchScope },
  { method: "DELETE", pattern: scopePath, handle: deleteScope },
  { method: "GET", pattern: /^\/api\/organization-roles$/, handle: listRoles },
  { method: "POST", pattern: /^\/api\/organization-roles$/, handle: createRole },
  { method: "GET", pattern: rolePath, handle: (context) => ({ status: 200, body: existingRole(context) }) },
  { method: "PATCH", pattern: rolePath, handle: patchRole },
  { method: "DELETE", pattern: rolePath, handle: deleteRole },
  { method: "GET", pattern: roleScopesPath, handle: listRoleScopes },
  { method: "POST", pattern: roleScopesPath, handle: addRoleScopes },
  { method: "PUT", pattern: roleScopesPath, handle: replaceRoleScopes },
  { method: "DELETE", pattern: /^\/api\/organization-roles\/([^/]+)\/scopes\/([^/]+)$/, handle: removeRoleScope },
];
