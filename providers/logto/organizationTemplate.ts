/**
 * What the organization kinds share. The organization template (roles and scopes) is tenant-wide in Logto and
 * its names are unique (422 `entity.unique_integrity_violation`, test/logto-contract/01c, 03c): a role or
 * scope of the declared name that another stack or the console made is used as it is, never changed or
 * deleted by this stack; the stack records which ones it made itself.
 */
import { isLogtoApiError } from "./errors";
import { notice } from "./support";

/** Who made a template role or scope: this stack (it changes and deletes it), or someone else (used by name only). */
export const templateOwnerships = ["stack", "external"] as const;
export type TemplateOwnership = (typeof templateOwnerships)[number];

/**
 * The object of this name: one another stack or the console made is used (external); else it is created once
 * (a lost answer is found again by its unique name); a create that loses the race to another maker (422) uses
 * theirs.
 */
export async function createOrUse<Row>(
  find: () => Promise<Row | undefined>,
  create: () => Promise<Row>,
): Promise<{ row: Row; ownership: TemplateOwnership }> {
  const existing = await find();
  if (existing !== undefined) return { row: existing, ownership: "external" };
  try {
    return { row: await create(), ownership: "stack" };
  } catch (error) {
    if (!isLogtoApiError(error) || error.code !== "entity.unique_integrity_violation") throw error;
    const theirs = await find();
    if (theirs === undefined) throw error;
    return { row: theirs, ownership: "external" };
  }
}

/**
 * Whether delete must leave a template object in Logto because another stack or the console made it, saying so;
 * else says what deleting the stack's own costs (`cost`), since other stacks may have come to use it.
 */
export function keptBecauseExternal(what: string, ownership: TemplateOwnership | undefined, cost: string): boolean {
  if (ownership !== "stack") {
    notice(
      `${what} was not made by this stack (another stack or the Logto console made it; the template is tenant-wide), so it is kept in Logto and only leaves the state.`,
    );
    return true;
  }
  notice(`deleting ${what}, made by this stack: ${cost}`);
  return false;
}
