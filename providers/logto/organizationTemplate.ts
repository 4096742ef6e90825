/**
 * What the organization kinds share. The organization template (roles and scopes) is tenant-wide in Logto and
 * its names are unique (422 `entity.unique_integrity_violation`, test/logto-contract/01c, 03c): a role or
 * scope of the declared name that another stack or the console made is used as it is, never changed or
 * deleted by this stack; the stack records which ones it made itself.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "./client";
import { isLogtoApiError, troubleshootingLink } from "./errors";
import { managementClient } from "./registry";
import { containsUnknown, endpointDiff, endpointMove, notice, type OnEndpoint } from "./support";
import { type TemplateUsage, usageText } from "./templateUsage";

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
 * Deletes a template object the stack made, first saying what that costs (`cost`), unless `usage` finds it in use
 * anywhere in the tenant (another stack, the console, an organization the stack keeps): Logto would take it from
 * all of them, so it is kept and leaves the state only. One another stack or the console made is always kept.
 */
export async function deleteIfOwned(
  path: "/api/organization-roles/{id}" | "/api/organization-scopes/{id}",
  id: string,
  props: { name: string; endpoint: string; ownership?: TemplateOwnership },
  what: string,
  cost: string,
  usage: (client: ManagementClient) => Promise<TemplateUsage>,
): Promise<void> {
  if (props.ownership !== "stack") {
    notice(
      `${what} (id ${id}) was not made by this stack (another stack or the Logto console made it; the template is tenant-wide), so it is kept in Logto and only leaves the state.`,
    );
    return;
  }
  const client = managementClient(props.endpoint);
  const inUse = await usage(client);
  if (inUse.uses.length > 0) {
    notice(
      `${what} (id ${id}) was made by this stack but is in use in the tenant (${usageText(inUse)}), so it is kept in Logto and only leaves the state: deleting it would remove it there too. Delete it in the Logto console once nothing uses it (${troubleshootingLink("Organization role kept on destroy")}).`,
    );
    return;
  }
  notice(`deleting ${what} (id ${id}), made by this stack: ${cost}`);
  await client.deleteIfPresent({ path, params: { id }, action: `deleting ${what}` });
}

/**
 * The ids of the template objects `names` names, in order; an error naming every one the tenant does not have.
 * `what`: `organization scope`; `declare`: where to declare it, e.g. `OrganizationScope) before the roles that grant it`.
 */
export function idsByName(
  rows: ReadonlyArray<{ id: string; name: string }>,
  names: readonly string[],
  what: string,
  declare: string,
  action: string,
): string[] {
  const missing = names.filter((name) => !rows.some((row) => row.name === name));
  if (missing.length > 0) {
    throw new Error(
      `Logto: ${action} failed: the tenant has no ${what} ${missing.map((name) => `"${name}"`).join(", ")}: declare it (${declare}), or create it in the Logto console (${troubleshootingLink("Unknown organization scope")}).`,
    );
  }
  return names.map((name) => rows.find((row) => row.name === name)!.id);
}

/**
 * A template object's diff: every field in place; another maker's object under another name is another object
 * (the state moves to it, theirs is left alone); a new `logto:endpoint` as `endpointMove` decides. `cost`: what
 * a replacement at another Logto costs; `exists`: whether a Logto has the object `id`.
 */
export async function templateDiff(
  id: string,
  olds: Partial<OnEndpoint> & { name?: string; ownership?: TemplateOwnership },
  news: OnEndpoint & { name: string },
  object: {
    what: string;
    cost: string;
    changed: readonly string[];
    exists: (client: ManagementClient) => Promise<boolean>;
  },
): Promise<pulumi.dynamic.DiffResult> {
  const moved = endpointDiff(
    await endpointMove(olds, news, { what: `${object.what} (id ${id})`, cost: object.cost, heldBy: object.exists }),
  );
  const replaces = olds.ownership === "external" && olds.name !== news.name ? ["name"] : [];
  const changed = containsUnknown(news) || object.changed.length > 0;
  return {
    changes: changed || moved.changed || replaces.length > 0,
    replaces: [...replaces, ...moved.replaces],
    deleteBeforeReplace: false,
  };
}
