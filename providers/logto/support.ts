import * as pulumi from "@pulumi/pulumi";
import type { ApiRequest, ManagementClient } from "./client";
import type { ApiPath } from "./managementApi";
import { isNotFound, troubleshootingLink } from "./errors";
import { configureManagementApi, configuredSettings, managementClient } from "./registry";

/** The engine's placeholder for values not known yet (during preview). */
const unknownSentinel = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

export function containsUnknown(value: unknown): boolean {
  if (value === unknownSentinel) return true;
  if (Array.isArray(value)) return value.some(containsUnknown);
  if (typeof value === "object" && value !== null) return Object.values(value).some(containsUnknown);
  return false;
}

/** What `get` answers, or undefined when Logto says the object does not exist. */
export async function ifPresent<T>(get: () => Promise<T>): Promise<T | undefined> {
  try {
    return await get();
  } catch (error) {
    if (isNotFound(error)) return undefined;
    throw error;
  }
}

/** Whether Logto has the object a GET asks for. */
export async function isPresent<P extends ApiPath>(client: ManagementClient, request: ApiRequest<P, "GET">) {
  return (await ifPresent(() => client.send(request))) !== undefined;
}

/**
 * A read's answer from the live object's outputs (`{}` when it is gone): its inputs are the outputs without the
 * fields only Logto or the provider sets. ReadResult types `inputs` as outputs; the engine takes them as the
 * refreshed inputs.
 */
export function readResult<O extends object>(
  id: string,
  outs: O | undefined,
  outputOnly: ReadonlyArray<keyof O>,
): pulumi.dynamic.ReadResult<O> {
  if (outs === undefined) return {};
  const inputs = Object.fromEntries(Object.entries(outs).filter(([key]) => !outputOnly.includes(key as keyof O)));
  return { id, props: outs, inputs: inputs as O };
}

/**
 * The read of every kind: the live object (found by `get` from the state) flattened to outputs, or `{}` when
 * it is gone (`get` answers undefined or Logto 404), which drops it from the state.
 */
export async function readOrGone<S, Row, O extends object>(
  id: string,
  state: S | undefined,
  get: (state: S) => Promise<Row | undefined>,
  flatten: (row: Row, state: S) => O,
  outputOnly: ReadonlyArray<keyof O>,
): Promise<pulumi.dynamic.ReadResult<O>> {
  if (state === undefined) return {};
  const row = await ifPresent(() => get(state));
  return readResult(id, row === undefined ? undefined : flatten(row, state), outputOnly);
}

/** The `check` of a kind whose inputs get their defaults and then the failures Logto would refuse them with. */
export function checkWith<I>(
  withDefaults: (news: Partial<I>) => I,
  failures: (inputs: I) => pulumi.dynamic.CheckFailure[],
) {
  return async (_olds: unknown, news: Partial<I>): Promise<pulumi.dynamic.CheckResult<I>> => {
    const inputs = withDefaults(news);
    return { inputs, failures: failures(inputs) };
  };
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

export interface MovingObject {
  /** `SSO connector "contoso" (id …)`. */
  what: string;
  /** What replacing it would cost its users, one or two sentences. */
  cost: string;
  /** Whether the configured Logto holds this object (asked only when the endpoint changed). */
  heldBy(client: ManagementClient): Promise<boolean>;
}

/**
 * What a changed logto:endpoint does to one object, decided at diff (so preview says it):
 * - "none": the endpoint did not change (or the state predates recording it);
 * - "in place": the configured Logto holds the object (the same tenant under another address): an update
 *   records the new endpoint, nothing is replaced;
 * - "replace": the configured Logto does not hold it and logto:moveFromEndpoint names the recorded endpoint:
 *   made anew here, deleted there (the preview says what that costs).
 * Otherwise it throws: another Logto (or an object deleted by hand) is refused, with what a move would cost.
 */
async function endpointMove(
  olds: Partial<OnEndpoint>,
  news: OnEndpoint,
  object: MovingObject,
): Promise<"none" | "in place" | "replace"> {
  if (olds.endpoint === undefined || olds.endpoint === news.endpoint) return "none";
  if (await object.heldBy(managementClient())) return "in place";
  const consequence = `Replacing it makes it anew at ${news.endpoint} and deletes it at ${olds.endpoint}: ${object.cost}`;
  if (configuredSettings().moveFromEndpoint === olds.endpoint) {
    notice(`${object.what} is replaced (logto:moveFromEndpoint is ${olds.endpoint}). ${consequence}`);
    return "replace";
  }
  throw new Error(
    `Logto: ${object.what} was made at ${olds.endpoint} (recorded in the state), and ${news.endpoint} (logto:endpoint) does not hold it: that is another Logto, or the object was deleted there by hand. Nothing was changed. ${consequence} To move to this Logto on purpose: \`pulumi config set logto:moveFromEndpoint ${olds.endpoint}\` and \`pulumi up\` (the configured credentials must work at both addresses), or set the old logto:endpoint, logto:m2mAppId and logto:m2mAppSecret back, \`pulumi destroy\`, then the new ones and \`pulumi up\`. If it was deleted by hand, run \`pulumi refresh\` first (${troubleshootingLink("Object made at another endpoint")}).`,
  );
}

/**
 * A diff of the object's own replacements and changes (`own`) and of what a changed endpoint does to it
 * (`endpointMove`: an update that records it, or a replacement that makes it before deleting the old one).
 */
export async function diffWithEndpoint(
  olds: Partial<OnEndpoint>,
  news: OnEndpoint,
  own: { replaces?: string[]; changed: boolean },
  object: MovingObject,
): Promise<{ changes: boolean; replaces: string[]; deleteBeforeReplace: boolean }> {
  const move = await endpointMove(olds, news, object);
  const replaces = [...(own.replaces ?? []), ...(move === "replace" ? ["endpoint"] : [])];
  return { changes: own.changed || move !== "none" || replaces.length > 0, replaces, deleteBeforeReplace: false };
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
 * The recorded fields of a resource's state. A state written before they were recorded gets the configured
 * endpoint, and adopted when adoptExisting was on.
 */
export function recordedIn(props: Partial<Recorded>): Recorded {
  return {
    adoptExisting: props.adoptExisting ?? false,
    deleteAdoptedOnDestroy: props.deleteAdoptedOnDestroy ?? false,
    endpoint: props.endpoint ?? configuredEndpoint(),
    adopted: props.adopted ?? props.adoptExisting ?? false,
  };
}

/**
 * The diff of an adoptable resource: its own replacements and changes, plus what a changed endpoint does
 * (`endpointMove`; a replacement deletes first, as names may be unique in one Logto), plus an update that
 * sends nothing when only the recorded settings change or the state predates them.
 */
export async function adoptableDiff(
  olds: Partial<Recorded>,
  news: Adoptable & OnEndpoint,
  own: { replaces: string[]; changed: boolean },
  object: MovingObject,
): Promise<pulumi.dynamic.DiffResult> {
  const recordedChanged =
    olds.endpoint === undefined ||
    olds.adopted === undefined ||
    olds.adoptExisting !== news.adoptExisting ||
    olds.deleteAdoptedOnDestroy !== news.deleteAdoptedOnDestroy;
  const diff = await diffWithEndpoint(olds, news, { ...own, changed: own.changed || recordedChanged }, object);
  return { ...diff, deleteBeforeReplace: diff.replaces.length > 0 };
}

/**
 * The create of an adoptable object: `existing` (what adoptExisting found by name) is taken over by `adopt`,
 * else the object is made by `create` (through ManagementClient.createOnce, so a lost answer makes no duplicate).
 */
export async function adoptOrCreate<Row extends { id: string }, O>(
  existing: Row | undefined,
  steps: { adopt(existing: Row): Promise<Row>; create(): Promise<Row>; flatten(row: Row, adopted: boolean): O },
): Promise<{ id: string; outs: O }> {
  const row = existing ? await steps.adopt(existing) : await steps.create();
  return { id: row.id, outs: steps.flatten(row, existing !== undefined) };
}

/**
 * The delete of an adoptable object: kept when the stack adopted it (saying so), else deleted (one gone counts as
 * deleted). Whether it was deleted.
 */
export async function deleteUnlessAdopted<P extends ApiPath>(
  what: string,
  props: Partial<Recorded>,
  request: Omit<ApiRequest<P, "DELETE">, "method">,
): Promise<boolean> {
  if (recordedIn(props).adopted && !props.deleteAdoptedOnDestroy) {
    notice(
      `${what} was adopted (adoptExisting) rather than made by this stack, so it is kept in Logto and only leaves the state; set deleteAdoptedOnDestroy: true (and run pulumi up) to delete it on destroy.`,
    );
    return false;
  }
  await managementClient(props.endpoint).deleteIfPresent(request);
  return true;
}

/** At declaration, so preview says it too: what destroy will do with an adopted object. */
export function announceAdoption(
  what: string,
  args: { adoptExisting?: pulumi.Input<boolean>; deleteAdoptedOnDestroy?: pulumi.Input<boolean> },
): void {
  pulumi.all([args.adoptExisting ?? false, args.deleteAdoptedOnDestroy ?? false]).apply(([adopt, deleteAdopted]) => {
    if (adopt && !deleteAdopted) {
      void pulumi.log.info(
        `${what}: adoptExisting is on; an existing object it takes over is kept in Logto on destroy (set deleteAdoptedOnDestroy to delete it).`,
      );
    }
  });
}
