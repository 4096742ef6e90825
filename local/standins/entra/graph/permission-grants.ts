/**
 * /oauth2PermissionGrants (delegated permission grants, i.e. admin consent), as the azuread provider's
 * ServicePrincipalDelegatedPermissionGrant resource calls them (TF
 * service_principal_delegated_permission_grant_resource.go): create, read, list, update the scope, delete.
 */
import { GraphError, invalidProperty } from "../errors";
import { permissionGrantId } from "../ids";
import type { PermissionGrant } from "../objects";
import {
  collectionReply,
  entityReply,
  filterItems,
  noContent,
  objectBody,
  type GraphContext,
  type GraphRoute,
} from "./context";
import { existing, readById } from "./lookup";
import { permissionGrantShape } from "./shapes";

const roles = ["DelegatedPermissionGrant.ReadWrite.All"];

const grantTemplate = { id: null, clientId: null, consentType: null, principalId: null, resourceId: null, scope: null };

/** The provider retries this 400 while a service principal it just made has not replicated. */
const missingReference = (id: string): GraphError =>
  new GraphError(
    400,
    "Request_BadRequest",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

type GrantRequest = Omit<PermissionGrant, "id">;

/** Throws Graph's 400 naming the first wrong property; true otherwise. */
const isGrantRequest = (fields: Record<string, unknown>): fields is Record<string, unknown> & GrantRequest =>
  permissionGrantShape(fields);

function create(context: GraphContext) {
  const { tenant } = context;
  const fields: Record<string, unknown> = { principalId: null, scope: "", ...objectBody(context) };
  if (!isGrantRequest(fields)) throw invalidProperty("clientId", "OAuth2PermissionGrant");
  const { clientId, resourceId, consentType, principalId, scope } = fields;
  if (consentType === "Principal" && principalId === null)
    throw invalidProperty("principalId", "OAuth2PermissionGrant");
  if (consentType === "AllPrincipals" && principalId !== null)
    throw invalidProperty("principalId", "OAuth2PermissionGrant");
  for (const id of [clientId, resourceId]) if (!tenant.servicePrincipals.has(id)) throw missingReference(id);
  if (principalId !== null && !tenant.users.has(principalId)) throw missingReference(principalId);

  const id = permissionGrantId(clientId, resourceId, principalId);
  if (tenant.oauth2PermissionGrants.has(id))
    throw new GraphError(409, "Request_MultipleObjectsWithSameKeyValue", "Permission entry already exists.");
  const grant: PermissionGrant = { id, clientId, consentType, principalId, resourceId, scope };
  tenant.oauth2PermissionGrants.set(id, grant);
  tenant.lag.created(id);
  return entityReply(context, "oauth2PermissionGrants", "oAuth2PermissionGrant", { ...grant }, 201);
}

function read(context: GraphContext) {
  const grant = readById(context, context.tenant.oauth2PermissionGrants, context.params[0], (found) => ({ ...found }));
  return entityReply(context, "oauth2PermissionGrants", "oAuth2PermissionGrant", grant);
}

function list(context: GraphContext) {
  const grants = filterItems(
    context,
    "OAuth2PermissionGrant",
    [...context.tenant.oauth2PermissionGrants.values()].map((grant) => ({ ...grant })),
    ["clientId", "consentType", "principalId", "resourceId"],
  );
  return collectionReply(context, "oauth2PermissionGrants", "oAuth2PermissionGrant", grants, grantTemplate);
}

/** Only `scope` changes; who granted what to whom is the grant's identity. */
function update(context: GraphContext) {
  const grant = existing(context.tenant.oauth2PermissionGrants, context.params[0]);
  const { scope } = objectBody(context);
  if (scope !== undefined) {
    if (typeof scope !== "string" && scope !== null) throw invalidProperty("scope", "OAuth2PermissionGrant");
    grant.scope = scope ?? "";
  }
  return noContent;
}

function remove(context: GraphContext) {
  const id = context.params[0];
  const grant = existing(context.tenant.oauth2PermissionGrants, id);
  context.tenant.oauth2PermissionGrants.delete(id);
  context.tenant.lag.deleted(id, { ...grant });
  return noContent;
}

export const permissionGrantRoutes: GraphRoute[] = [
  { method: "POST", pattern: /^\/oauth2PermissionGrants$/, roles, handle: create },
  { method: "GET", pattern: /^\/oauth2PermissionGrants$/, roles, handle: list },
  { method: "GET", pattern: /^\/oauth2PermissionGrants\/([^/]+)$/, roles, handle: read },
  { method: "PATCH", pattern: /^\/oauth2PermissionGrants\/([^/]+)$/, roles, handle: update },
  { method: "DELETE", pattern: /^\/oauth2PermissionGrants\/([^/]+)$/, roles, handle: remove },
];
