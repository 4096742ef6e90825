/**
 * /servicePrincipals and their owners, as the azuread provider's ServicePrincipal resource and
 * getServicePrincipal data source call them (TF internal/services/serviceprincipals): create with
 * `owners@odata.bind`, read (and the beta `$select=samlMetadataUrl`), list by `$filter`, update, delete,
 * owners list, `$ref` add and remove.
 */
import { GraphError, graphBadRequest, invalidProperty, resourceNotFound } from "../errors";
import { servicePrincipalDefaults, type GraphJson, type ServicePrincipal } from "../objects";
import type { TenantDirectory } from "../state";
import {
  collectionReply,
  entityReply,
  filterItems,
  noContent,
  objectBody,
  type GraphContext,
  type GraphRoute,
} from "./context";
import { existing, objectId, readById } from "./lookup";
import { mergeGraphBody } from "./merge";
import { servicePrincipalShape } from "./shapes";

const writers = ["Application.ReadWrite.All"];
const readers = ["Application.ReadWrite.All", "Application.Read.All", "Directory.Read.All"];

/** Set by Graph or derived from the application: ignored in bodies. */
const readOnly = new Set([
  "id",
  "appId",
  "deletedDateTime",
  "appDisplayName",
  "appDescription",
  "appOwnerOrganizationId",
  "appRoles",
  "info",
  "oauth2PermissionScopes",
  "replyUrls",
  "servicePrincipalNames",
  "servicePrincipalType",
  "signInAudience",
  "keyCredentials",
  "passwordCredentials",
]);

/** Graph's view, plus what only beta has (the provider reads `samlMetadataUrl` there). */
function servicePrincipalView(context: GraphContext, servicePrincipal: ServicePrincipal): GraphJson {
  const view = context.tenant.servicePrincipalView(servicePrincipal);
  return context.version === "beta" ? { ...view, samlMetadataUrl: null } : view;
}

function merged(servicePrincipal: ServicePrincipal, body: Record<string, unknown>): ServicePrincipal {
  const candidate = structuredClone(servicePrincipal);
  mergeGraphBody(candidate, body, servicePrincipalDefaults(), readOnly);
  servicePrincipalShape(candidate);
  return candidate;
}

/** The object id in a directory object reference (`…/v1.0/directoryObjects/{id}`), which must exist in the tenant. */
function referencedObject(tenant: TenantDirectory, reference: unknown): string {
  const match = typeof reference === "string" ? /\/directoryObjects\/([^/]+)$/.exec(reference) : null;
  if (!match) throw graphBadRequest(`Invalid object identifier '${String(reference)}'.`);
  const id = objectId(match[1]);
  if (!tenant.directoryObject(id)) throw resourceNotFound(id);
  return id;
}

function create(context: GraphContext) {
  const { tenant } = context;
  const body = objectBody(context);
  if (typeof body.appId !== "string") throw invalidProperty("appId", "ServicePrincipal");
  if (tenant.servicePrincipalByAppId(body.appId)) {
    throw new GraphError(
      409,
      "Request_MultipleObjectsWithSameKeyValue",
      `The service principal cannot be created, updated, or restored because the service principal name ${body.appId} is already in use.`,
    );
  }
  // Only for an application of this tenant. The provider retries this 400, as the application may not have
  // replicated yet (TF service_principal_resource.go).
  const app = tenant.applicationByAppId(body.appId);
  if (!app)
    throw graphBadRequest(
      `The appId '${body.appId}' of the service principal does not reference a valid application object.`,
    );
  const binds = body["owners@odata.bind"] ?? [];
  if (!Array.isArray(binds)) throw invalidProperty("owners@odata.bind", "ServicePrincipal");
  const owners = [...new Set(binds.map((reference) => referencedObject(tenant, reference)))];

  const fresh = { ...tenant.newServicePrincipal(body.appId), displayName: app.displayName };
  const servicePrincipal = merged(fresh, body);
  tenant.servicePrincipals.set(servicePrincipal.id, servicePrincipal);
  tenant.servicePrincipalOwners.set(servicePrincipal.id, owners);
  tenant.lag.created(servicePrincipal.id);
  return entityReply(
    context,
    "servicePrincipals",
    "servicePrincipal",
    servicePrincipalView(context, servicePrincipal),
    201,
  );
}

function read(context: GraphContext) {
  const id = objectId(context.params[0]);
  const view = readById(context, context.tenant.servicePrincipals, id, (sp) => servicePrincipalView(context, sp));
  return entityReply(context, "servicePrincipals", "servicePrincipal", view);
}

function list(context: GraphContext) {
  const views = [...context.tenant.servicePrincipals.values()].map((sp) => servicePrincipalView(context, sp));
  const found = filterItems(context, "ServicePrincipal", views, ["appId", "displayName", "id"]);
  return collectionReply(context, "servicePrincipals", "servicePrincipal", found, servicePrincipalDefaults());
}

function update(context: GraphContext) {
  const id = objectId(context.params[0]);
  const servicePrincipal = merged(existing(context.tenant.servicePrincipals, id), objectBody(context));
  context.tenant.servicePrincipals.set(id, servicePrincipal);
  return noContent;
}

/** Deleting a service principal also removes its ownerships and the delegated grants it is party to. */
function remove(context: GraphContext) {
  const { tenant } = context;
  const id = objectId(context.params[0]);
  const servicePrincipal = existing(tenant.servicePrincipals, id);
  const lastState = servicePrincipalView(context, servicePrincipal);
  tenant.servicePrincipals.delete(id);
  tenant.servicePrincipalOwners.delete(id);
  for (const [ownedId, owners] of tenant.servicePrincipalOwners)
    tenant.servicePrincipalOwners.set(
      ownedId,
      owners.filter((owner) => owner !== id),
    );
  for (const grant of [...tenant.oauth2PermissionGrants.values()]) {
    if (grant.clientId === id || grant.resourceId === id) tenant.oauth2PermissionGrants.delete(grant.id);
  }
  tenant.lag.deleted(id, lastState);
  return noContent;
}

function ownersOf(context: GraphContext): string[] {
  const id = objectId(context.params[0]);
  existing(context.tenant.servicePrincipals, id);
  return context.tenant.servicePrincipalOwners.get(id) ?? [];
}

function listOwners(context: GraphContext) {
  const owners = ownersOf(context).flatMap((ownerId) => {
    const owner = context.tenant.directoryObject(ownerId);
    return owner ? [{ "@odata.type": owner.odataType, ...owner.object }] : [];
  });
  return collectionReply(context, "directoryObjects", "directoryObject", owners, { id: null });
}

function addOwner(context: GraphContext) {
  const owners = ownersOf(context);
  const body = objectBody(context);
  if (!("@odata.id" in body)) throw invalidProperty("@odata.id", "ReferenceCreate");
  const ownerId = referencedObject(context.tenant, body["@odata.id"]);
  if (owners.includes(ownerId)) {
    throw graphBadRequest(
      "One or more added object references already exist for the following modified properties: 'owners'.",
    );
  }
  context.tenant.servicePrincipalOwners.set(objectId(context.params[0]), [...owners, ownerId]);
  return noContent;
}

function removeOwner(context: GraphContext) {
  const owners = ownersOf(context);
  const ownerId = objectId(context.params[1]);
  if (!owners.includes(ownerId)) throw resourceNotFound(ownerId);
  context.tenant.servicePrincipalOwners.set(
    objectId(context.params[0]),
    owners.filter((owner) => owner !== ownerId),
  );
  return noContent;
}

export const servicePrincipalRoutes: GraphRoute[] = [
  { method: "POST", pattern: /^\/servicePrincipals$/, roles: writers, handle: create },
  { method: "GET", pattern: /^\/servicePrincipals$/, roles: readers, handle: list },
  { method: "GET", pattern: /^\/servicePrincipals\/([^/]+)$/, roles: readers, handle: read },
  { method: "PATCH", pattern: /^\/servicePrincipals\/([^/]+)$/, roles: writers, handle: update },
  { method: "DELETE", pattern: /^\/servicePrincipals\/([^/]+)$/, roles: writers, handle: remove },
  { method: "GET", pattern: /^\/servicePrincipals\/([^/]+)\/owners$/, roles: readers, handle: listOwners },
  { method: "POST", pattern: /^\/servicePrincipals\/([^/]+)\/owners\/\$ref$/, roles: writers, handle: addOwner },
  {
    method: "DELETE",
    pattern: /^\/servicePrincipals\/([^/]+)\/owners\/([^/]+)\/\$ref$/,
    roles: writers,
    handle: removeOwner,
  },
];
