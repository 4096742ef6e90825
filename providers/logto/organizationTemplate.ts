/**
 * The organization template's kinds (roles and scopes), one provider for both. The template is tenant-wide in
 * Logto and its names are unique (422 `entity.unique_integrity_violation`, test/logto-contract/01c, 03c): a role
 * or scope of the declared name that another stack or the console made is used as it is, never changed or
 * deleted by this stack; the stack records which ones it made itself.
 */
import type * as pulumi from "@pulumi/pulumi";
import type { ManagementClient } from "./client";
import { isLogtoApiError, troubleshootingLink } from "./errors";
import { allPages } from "./lists";
import { managementClient } from "./registry";
import {
  checkWith,
  configureFromStack,
  containsUnknown,
  diffWithEndpoint,
  ifPresent,
  isPresent,
  notice,
  readResult,
  type OnEndpoint,
} from "./support";
import { type TemplateUsage, usageText } from "./templateUsage";

/** Who made a template role or scope: this stack (it changes and deletes it), or someone else (used by name only). */
export type TemplateOwnership = "stack" | "external";

/** What the program declares of a role or scope, with defaults filled. */
export interface TemplateDeclared extends OnEndpoint {
  /** Unique in the tenant, shared by every stack: `admin`, `read:reports`. */
  name: string;
  description: string;
}

export interface TemplateRecorded extends OnEndpoint {
  /** Made by this stack, or used as another stack or the console made it (never changed or deleted then). */
  ownership: TemplateOwnership;
}

/** What a template object's row holds for every kind. */
type TemplateRow = { id: string };

/** One kind of the template: its route, its words, its own fields, and the steps only it takes. */
export interface TemplateKind<I extends TemplateDeclared, O extends I & TemplateRecorded, Row extends TemplateRow> {
  /** `organization role`. */
  noun: string;
  /** The object's route. */
  path: "/api/organization-roles/{id}" | "/api/organization-scopes/{id}";
  /** The output holding the object's id. */
  idOutput: keyof O & string;
  withDefaults: (news: Partial<I>) => I;
  checkFailures: (news: I) => pulumi.dynamic.CheckFailure[];
  /** The fields an update sends. */
  changedFields(olds: Partial<O>, news: I): string[];
  /** What a replacement at another Logto costs; what deleting the stack's own costs. */
  cost: { move: string; deletion: string };
  /** Where the tenant uses the object: one in use is kept on delete. */
  usage(client: ManagementClient, id: string, what: string): Promise<TemplateUsage>;
  /** The object by id, as flatten reads it (Logto answers 404 when it is gone). */
  get(client: ManagementClient, id: string, action: string): Promise<Row>;
  /** The object of this name (`q` is a substring search; names are unique). */
  find(client: ManagementClient, name: string): Promise<Row | undefined>;
  /** Creates it through createOnce (a lost answer is found again by `find`). */
  create(client: ManagementClient, inputs: I, action: string): Promise<Row>;
  /** Said when the stack uses one another maker made: how it differs from the declared one. */
  usedAsItIs?(row: Row, inputs: I): void;
  /** Sends the `changed` fields. `what`: `organization role "admin" (id …)`. */
  update(
    client: ManagementClient,
    id: string,
    change: { olds: O; news: I; changed: string[]; action: string; what: string },
  ): Promise<Row>;
  /** `declared`: what the stack declared, when known. */
  flatten(row: Row, recorded: TemplateRecorded, declared: Partial<I> | undefined): O;
}

export function templateLabel(noun: string, name: string): string {
  return `${noun} "${name}"`;
}

/**
 * The object of this name: one another stack or the console made is used (external); else it is created once
 * (a lost answer is found again by its unique name); a create that loses the race to another maker (422) uses
 * theirs.
 */
async function createOrUse<Row>(
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

export function templateProvider<I extends TemplateDeclared, O extends I & TemplateRecorded, Row extends TemplateRow>(
  kind: TemplateKind<I, O, Row>,
): pulumi.dynamic.ResourceProvider<I, O> {
  const label = (name: string) => templateLabel(kind.noun, name);
  return {
    configure: configureFromStack,

    check: checkWith(kind.withDefaults, kind.checkFailures),

    /**
     * Every field in place; another maker's object under another name is another object (the state moves to it,
     * theirs is left alone); a new `logto:endpoint` as `endpointMove` decides.
     */
    async diff(id, olds, news) {
      const what = label(olds.name ?? id);
      const replaces = olds.ownership === "external" && olds.name !== news.name ? ["name"] : [];
      const changed = containsUnknown(news) || kind.changedFields(olds, news).length > 0;
      return diffWithEndpoint(
        olds,
        news,
        { replaces, changed },
        {
          what: `${what} (id ${id})`,
          cost: kind.cost.move,
          heldBy: (client) =>
            isPresent(client, { method: "GET", path: kind.path, params: { id }, action: `looking up ${what}` }),
        },
      );
    },

    async create(inputs) {
      const client = managementClient();
      const action = `creating ${label(inputs.name)}`;
      const find = () => kind.find(client, inputs.name);
      const { row, ownership } = await createOrUse(find, () => kind.create(client, inputs, action));
      if (ownership === "external") kind.usedAsItIs?.(row, inputs);
      return { id: row.id, outs: kind.flatten(row, { endpoint: inputs.endpoint, ownership }, inputs) };
    },

    async read(id, props) {
      const client = managementClient(props?.endpoint);
      const row = await ifPresent(() => kind.get(client, id, `reading ${kind.noun} ${id}`));
      const outs =
        row && kind.flatten(row, { endpoint: client.endpoint, ownership: props?.ownership ?? "external" }, props);
      return readResult(id, outs, [kind.idOutput, "ownership"]);
    },

    async update(id, olds, news) {
      const changed = kind.changedFields(olds, news);
      const ownership = olds.ownership;
      if (changed.length === 0) {
        return { outs: { ...olds, name: news.name, endpoint: news.endpoint, ownership, [kind.idOutput]: id } };
      }
      const action = `updating ${label(news.name)} (${changed.join(", ")})`;
      const what = `${label(olds.name)} (id ${id})`;
      const row = await kind.update(managementClient(), id, { olds, news, changed, action, what });
      return { outs: kind.flatten(row, { endpoint: news.endpoint, ownership }, news) };
    },

    /**
     * Deletes an object the stack made, first saying what that costs, unless the tenant uses it anywhere (another
     * stack, the console, an organization the stack keeps): Logto would take it from all of them, so it is kept
     * and leaves the state only. One another stack or the console made is always kept.
     */
    async delete(id, props) {
      const what = `${label(props.name)} (id ${id})`;
      if (props.ownership !== "stack") {
        notice(
          `${what} was not made by this stack (another stack or the Logto console made it; the template is tenant-wide), so it is kept in Logto and only leaves the state.`,
        );
        return;
      }
      const client = managementClient(props.endpoint);
      const inUse = await kind.usage(client, id, label(props.name));
      if (inUse.uses.length > 0) {
        notice(
          `${what} was made by this stack but is in use in the tenant (${usageText(inUse)}), so it is kept in Logto and only leaves the state: deleting it would remove it there too. Delete it in the Logto console once nothing uses it (${troubleshootingLink("Organization role kept on destroy")}).`,
        );
        return;
      }
      notice(`deleting ${what}, made by this stack: ${kind.cost.deletion}`);
      await client.deleteIfPresent({ path: kind.path, params: { id }, action: `deleting ${label(props.name)}` });
    },
  };
}

/**
 * The ids of the template objects `names` names, in order; an error naming every one the tenant does not have.
 * `what`: `organization scope`; `declare`: where to declare it, e.g. `OrganizationScope) before the roles that grant it`.
 */
export async function idsByName(
  client: ManagementClient,
  path: "/api/organization-roles" | "/api/organization-scopes",
  names: readonly string[],
  what: string,
  declare: string,
  action: string,
): Promise<string[]> {
  if (names.length === 0) return [];
  const rows: ReadonlyArray<{ id: string; name: string }> = await allPages(client, { method: "GET", path, action });
  const missing = names.filter((name) => !rows.some((row) => row.name === name));
  if (missing.length > 0) {
    throw new Error(
      `Logto: ${action} failed: the tenant has no ${what} ${missing.map((name) => `"${name}"`).join(", ")}: declare it (${declare}), or create it in the Logto console (${troubleshootingLink("Unknown organization scope")}).`,
    );
  }
  return names.map((name) => rows.find((row) => row.name === name)!.id);
}
