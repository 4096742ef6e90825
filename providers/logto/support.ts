import * as pulumi from "@pulumi/pulumi";
import { configureManagementApi, managementClient } from "./client";

/** The engine's placeholder for values not known yet (during preview). */
const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === unknownSentinel) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/** Shared `configure`: credentials come from the stack config the engine hands the provider process. */
export async function configureFromStack(req: pulumi.dynamic.ConfigureRequest): Promise<void> {
  configureManagementApi(req.config);
}

export function sameStringSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}

/**
 * A line for the person running Pulumi. A dynamic provider has no engine log; the engine shows what its
 * provider process writes to stderr in the command's output.
 */
export function notice(message: string): void {
  console.error(`logto: ${message}`);
}

/** Every Logto resource records the Logto it lives at (issue 11, item 4). */
export interface OnEndpoint {
  /** The Logto origin the object was made at; filled by `check` from logto:endpoint. */
  endpoint: string;
}

/** The configured Logto origin, recorded by `check` in every resource's inputs. */
export function configuredEndpoint(): string {
  return managementClient().endpoint;
}

/** `replaces` for a resource whose recorded endpoint is not the configured one (an object cannot move). */
export function endpointReplaces(olds: Partial<OnEndpoint>, news: OnEndpoint): string[] {
  return olds.endpoint !== undefined && olds.endpoint !== news.endpoint ? ["endpoint"] : [];
}

/**
 * The one object a lookup by name found, or undefined; more than one is an error naming them all, since taking
 * any of them could take (and later delete) an object another person or stack made.
 */
export function soleMatch<T extends { id: string }>(
  matches: readonly T[],
  what: string,
  action: string,
): T | undefined {
  if (matches.length <= 1) return matches[0];
  throw new Error(
    `Logto: ${action} failed: ${matches.length} ${what} have this name (ids ${matches.map((row) => row.id).join(", ")}), so the stack cannot tell which one is meant; rename or delete the extra ones in the Logto console, then run \`pulumi up\` again.`,
  );
}

/** Adoption state every adoptable resource records (issue 11, item 8). */
export interface Adoptable {
  /** Take over an object that already has this name instead of creating another. */
  adoptExisting: boolean;
  /** Delete an adopted object on destroy too; by default it is left in Logto. */
  deleteAdoptedOnDestroy: boolean;
}

export interface AdoptionOutputs {
  /** True when create took over an existing object rather than making one. */
  adopted: boolean;
}

/** What an adoptable resource records besides the live object: its settings, where it lives, whether adopted. */
export type Recorded = Adoptable & OnEndpoint & AdoptionOutputs;

/**
 * The recorded fields of a resource's state, for read. State written before `endpoint` and `adopted` were
 * recorded: the configured endpoint, and adopted when adoptExisting was on.
 */
export function recordedIn(props: Partial<Recorded> | undefined): Recorded {
  return {
    adoptExisting: props?.adoptExisting ?? false,
    deleteAdoptedOnDestroy: props?.deleteAdoptedOnDestroy ?? false,
    endpoint: props?.endpoint ?? configuredEndpoint(),
    adopted: props?.adopted ?? props?.adoptExisting ?? false,
  };
}

/** The recorded fields after an update: the declared settings, the endpoint and adoption as they were. */
export function recordedAfterUpdate(olds: Partial<Recorded>, news: Adoptable & OnEndpoint): Recorded {
  return {
    adoptExisting: news.adoptExisting,
    deleteAdoptedOnDestroy: news.deleteAdoptedOnDestroy,
    endpoint: olds.endpoint ?? news.endpoint,
    adopted: olds.adopted ?? olds.adoptExisting ?? false,
  };
}

/**
 * The diff of an adoptable resource: its own replacements and changes, plus a replacement when the recorded
 * endpoint is not the configured one (deleted first, as names may be unique in one Logto), plus an update
 * that sends nothing when only the recorded settings change or the state predates them.
 */
export function adoptableDiff(
  olds: Partial<Recorded>,
  news: Adoptable & OnEndpoint,
  own: { replaces: string[]; changed: boolean },
): pulumi.dynamic.DiffResult {
  const replaces = [...own.replaces, ...endpointReplaces(olds, news)];
  const changes =
    replaces.length > 0 ||
    own.changed ||
    olds.endpoint === undefined ||
    olds.adopted === undefined ||
    olds.adoptExisting !== news.adoptExisting ||
    olds.deleteAdoptedOnDestroy !== news.deleteAdoptedOnDestroy;
  return { changes, replaces, deleteBeforeReplace: replaces.length > 0 };
}

/**
 * Whether delete must leave the object in Logto because the stack adopted it, saying so. State written before
 * `adopted` was recorded counts an adoptExisting resource as adopted: keeping too much is the safe mistake.
 */
export function keptBecauseAdopted(what: string, props: Partial<Adoptable & AdoptionOutputs>): boolean {
  const adopted = props.adopted ?? props.adoptExisting ?? false;
  if (!adopted || props.deleteAdoptedOnDestroy === true) return false;
  notice(
    `${what} was adopted (adoptExisting) rather than made by this stack, so it is kept in Logto and only leaves the state; set deleteAdoptedOnDestroy: true (and run pulumi up) to delete it on destroy.`,
  );
  return true;
}

/** At declaration, so preview says it too: what destroy will do with an adopted object. */
export function announceAdoption(
  what: string,
  args: { adoptExisting?: pulumi.Input<boolean>; deleteAdoptedOnDestroy?: pulumi.Input<boolean> },
): void {
  pulumi.all([args.adoptExisting ?? false, args.deleteAdoptedOnDestroy ?? false]).apply(([adopt, deleteAdopted]) => {
    if (adopt && !deleteAdopted) {
      pulumi.log.info(
        `${what}: adoptExisting is on; an existing object it takes over is kept in Logto on destroy (set deleteAdoptedOnDestroy to delete it).`,
      );
    }
  });
}
