import type { Reply } from "../../shared/exchange";
import { isPlainObject } from "../../shared/json";
import { GraphError } from "../errors";
import type { GraphJson } from "../objects";
import type { TenantDirectory } from "../state";

export type GraphVersion = "v1.0" | "beta";

/** Who calls: the service principal the access token was issued to. */
export interface Caller {
  objectId: string;
  appId: string;
  roles: readonly string[];
}

export interface GraphContext {
  origin: string;
  version: GraphVersion;
  /** The caller's tenant (the token's `tid`): the only directory this request sees. */
  tenant: TenantDirectory;
  caller: Caller;
  body: unknown;
  query: URLSearchParams;
  /** Decoded path segments captured by the route pattern. */
  params: string[];
}

export interface GraphRoute {
  method: "GET" | "POST" | "PATCH" | "DELETE";
  /** Matched against the path after `/v1.0` or `/beta`. */
  pattern: RegExp;
  /** App roles any one of which lets the caller use the route. */
  roles: readonly string[];
  handle(context: GraphContext): Reply;
}

export const noContent: Reply = { status: 204 };

/** A POST or PATCH body: a JSON object, or Graph's 400. */
export function objectBody(context: GraphContext): Record<string, unknown> {
  if (!isPlainObject(context.body)) throw new GraphError(400, "BadRequest", "Empty Payload. JSON content expected.");
  return context.body;
}

const metadataUrl = (context: GraphContext, fragment: string): string =>
  `${context.origin}/${context.version}/$metadata#${fragment}`;

/** The `$select`ed properties, or undefined; a property `type` lacks is Graph's 400. */
function selection(context: GraphContext, type: string, available: ReadonlySet<string>): string[] | undefined {
  const raw = context.query.get("$select");
  if (raw === null) return undefined;
  const properties = raw
    .split(",")
    .map((property) => property.trim())
    .filter((property) => property !== "");
  for (const property of properties) {
    if (!available.has(property)) {
      throw new GraphError(
        400,
        "BadRequest",
        `Could not find a property named '${property}' on type 'microsoft.graph.${type}'.`,
      );
    }
  }
  return properties;
}

const pick = (object: GraphJson, properties: string[] | undefined): GraphJson =>
  properties === undefined
    ? object
    : Object.fromEntries(properties.map((property) => [property, object[property] ?? null]));

/** One object of entity set `set` (Graph type `type`), with `@odata.context` and `$select` applied. */
export function entityReply(context: GraphContext, set: string, type: string, object: GraphJson, status = 200): Reply {
  const properties = selection(context, type, new Set(Object.keys(object)));
  const fragment = properties === undefined ? `${set}/$entity` : `${set}(${properties.join(",")})/$entity`;
  return { status, body: { "@odata.context": metadataUrl(context, fragment), ...pick(object, properties) } };
}

/** A list `{value: […]}` of entity set `set`, with `@odata.context` and `$select` applied; never paged. */
export function collectionReply(
  context: GraphContext,
  set: string,
  type: string,
  items: GraphJson[],
  template: GraphJson,
): Reply {
  const properties = selection(
    context,
    type,
    new Set([...Object.keys(template), ...items.flatMap((item) => Object.keys(item))]),
  );
  const fragment = properties === undefined ? set : `${set}(${properties.join(",")})`;
  return {
    status: 200,
    body: { "@odata.context": metadataUrl(context, fragment), value: items.map((item) => pick(item, properties)) },
  };
}

/** A reply without entity set: `#microsoft.graph.passwordCredential` and the like. */
export function typedReply(context: GraphContext, type: string, object: GraphJson): Reply {
  return { status: 200, body: { "@odata.context": metadataUrl(context, `microsoft.graph.${type}`), ...object } };
}

const equalsClause = /^\s*([A-Za-z]+)\s+eq\s+'((?:[^']|'')*)'\s*$/;

/**
 * `$filter` as the azuread provider uses it, `<property> eq '<value>'` with `'` doubled, on the listed string
 * properties; compared case-insensitively, as directory strings are. Anything else is Graph's 400.
 */
export function filterItems<Item extends GraphJson>(
  context: GraphContext,
  resource: string,
  items: Item[],
  filterable: readonly string[],
): Item[] {
  const raw = context.query.get("$filter");
  if (raw === null) return items;
  const clause = equalsClause.exec(raw);
  if (!clause)
    throw new GraphError(
      400,
      "BadRequest",
      `Invalid filter clause: the Entra stand-in supports only "<property> eq '<value>'", got "${raw}".`,
    );
  const [, property, quoted] = clause;
  if (!filterable.includes(property)) {
    throw new GraphError(
      400,
      "Request_UnsupportedQuery",
      `Unsupported or invalid query filter clause specified for property '${property}' of resource '${resource}'.`,
    );
  }
  const wanted = quoted.replace(/''/g, "'").toLowerCase();
  return items.filter((item) => typeof item[property] === "string" && String(item[property]).toLowerCase() === wanted);
}
