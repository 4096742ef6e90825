/**
 * What the organization kinds share besides the template's ownership: Logto's own limits on their names and
 * descriptions (packages/schemas/tables/organization*.sql: name varchar(128), non-empty by the route guard;
 * description varchar(256); the application's name check too, with its own limit), and the PATCH of the fields
 * that changed.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ApiRequest, ManagementClient } from "./client";
import type { Answer, ApiPath, RequestBody } from "./managementApi";
import { apiError, isLogtoApiError } from "./errors";
import { configuredEndpoint, containsUnknown } from "./support";

export const nameLimit = 128;
export const descriptionLimit = 256;

/** A named object's inputs with the defaults filled: no description is "", and the configured logto:endpoint. */
export function namedDefaults<T extends { name?: string; description?: string }>(news: T) {
  return { ...news, name: news.name ?? "", description: news.description ?? "", endpoint: configuredEndpoint() };
}

/** The name when renamed, the description when changed, but only of the stack's own object: another maker's is theirs. */
export function nameAndDescriptionChanges(
  olds: { name?: string; description?: string; ownership?: string },
  news: { name: string; description: string },
): Array<"name" | "description"> {
  const changed: Array<"name" | "description"> = olds.name !== news.name ? ["name"] : [];
  if (olds.ownership !== "external" && (olds.description ?? "") !== news.description) changed.push("description");
  return changed;
}

/** The failure of a value longer than Logto's `limit`. */
function tooLong(property: string, value: string, limit: number): pulumi.dynamic.CheckFailure[] {
  const reason = `${property} is ${value.length} characters long: Logto allows at most ${limit}.`;
  return value.length > limit ? [{ property, reason }] : [];
}

/** The failure of a declared name: empty, or longer than Logto's `limit` (the application's is 256). */
export function nameFailures(name: unknown, what: string, limit = nameLimit): pulumi.dynamic.CheckFailure[] {
  if (containsUnknown(name)) return [];
  if (typeof name !== "string" || name.trim() === "") {
    return [{ property: "name", reason: `name is empty: give the ${what} a name.` }];
  }
  return tooLong("name", name, limit);
}

/** Failures of a declared name and description, each naming the field and the limit. */
export function nameAndDescriptionFailures(
  news: { name: unknown; description: unknown },
  what: string,
): pulumi.dynamic.CheckFailure[] {
  const { description } = news;
  const known = !containsUnknown(description) && typeof description === "string";
  return [...nameFailures(news.name, what), ...(known ? tooLong("description", description, descriptionLimit) : [])];
}

/**
 * `list[i]` named for each value listed twice: Logto inserts a set's rows as given (core/src/utils/RelationQueries.ts
 * `replace`), so a repeated one breaks the relation's primary key and the whole set is refused.
 */
export function duplicateFailures(property: string, values: unknown): pulumi.dynamic.CheckFailure[] {
  if (!Array.isArray(values) || containsUnknown(values)) return [];
  return values.flatMap((value, index) =>
    values.indexOf(value) < index
      ? [{ property, reason: `${property}[${index}] "${String(value)}" is listed twice: list it once.` }]
      : [],
  );
}

/**
 * PATCHes the object with only the `changed` fields of the request's body. With `what` (`organization "Contoso"
 * (id …)`, the object the state holds), a 404 `entity.not_exists` (the PATCH's code for a gone object, "The
 * organization does not exist.", test/logto-contract/04i; not the GET's) is said as what happened and what to run.
 */
export async function patchChanged<P extends ApiPath>(
  client: ManagementClient,
  request: Omit<ApiRequest<P, "PATCH">, "method">,
  changed: readonly string[],
  what?: string,
): Promise<Answer<P, "PATCH">> {
  const { body = {} } = request as { body?: Record<string, unknown> };
  const fields = Object.fromEntries(changed.map((field) => [field, body[field]])) as RequestBody<P, "PATCH">;
  try {
    return (await client.send({ ...request, method: "PATCH", body: fields } as ApiRequest<P, "PATCH">)).data;
  } catch (error) {
    if (!what || !isLogtoApiError(error) || error.status !== 404 || error.code !== "entity.not_exists") throw error;
    throw apiError(
      `${error.message} ${what} was deleted in Logto outside this stack: run \`pulumi refresh\` (it leaves the state), then \`pulumi up\` to make it again.`,
      error,
    );
  }
}

/** The name and description a body sends: an empty description is none (Logto keeps null). */
export function nameAndDescriptionBody(declared: { name: string; description: string }) {
  return { name: declared.name, description: declared.description === "" ? null : declared.description };
}
