/**
 * What the organization kinds share besides the template's ownership: Logto's own limits on their names and
 * descriptions (packages/schemas/tables/organization*.sql: name varchar(128), non-empty by the route guard;
 * description varchar(256)), and the PATCH of an object that is gone.
 */
import type * as pulumi from "@pulumi/pulumi";
import { apiError, isLogtoApiError } from "./errors";
import { containsUnknown } from "./support";

export const nameLimit = 128;
export const descriptionLimit = 256;

/** Failures of a declared name and description, each naming the field and the limit. */
export function nameAndDescriptionFailures(
  news: { name: unknown; description: unknown },
  what: string,
): pulumi.dynamic.CheckFailure[] {
  const failures: pulumi.dynamic.CheckFailure[] = [];
  if (!containsUnknown(news.name)) {
    if (typeof news.name !== "string" || news.name.trim() === "") {
      failures.push({ property: "name", reason: `name is empty: give the ${what} a name.` });
    } else if (news.name.length > nameLimit) {
      failures.push({
        property: "name",
        reason: `name is ${news.name.length} characters long: Logto allows at most ${nameLimit}.`,
      });
    }
  }
  if (!containsUnknown(news.description) && typeof news.description === "string") {
    if (news.description.length > descriptionLimit) {
      failures.push({
        property: "description",
        reason: `description is ${news.description.length} characters long: Logto allows at most ${descriptionLimit}.`,
      });
    }
  }
  return failures;
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
 * A PATCH whose object is gone: Logto answers it 404 `entity.not_exists` ("The organization does not exist.",
 * test/logto-contract/04i), not the GET's code; said as what happened and what to run.
 */
export async function patchOrExplain<T>(what: string, patch: () => Promise<T>): Promise<T> {
  try {
    return await patch();
  } catch (error) {
    if (!isLogtoApiError(error) || error.status !== 404 || error.code !== "entity.not_exists") throw error;
    throw apiError(
      `${error.message} ${what} was deleted in Logto outside this stack: run \`pulumi refresh\` (it leaves the state), then \`pulumi up\` to make it again.`,
      error,
    );
  }
}
