import type * as pulumi from "@pulumi/pulumi";
import { configureManagementApi } from "./client";

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

/**
 * An error for a create that made the object but could not finish: the engine records the id and
 * properties, so the next `up` updates the object instead of orphaning it.
 */
export function partialCreateError(
  cause: unknown,
  id: string,
  properties: object,
  inputs: { __provider?: unknown },
): Error {
  const message = cause instanceof Error ? cause.message : String(cause);
  return Object.assign(new Error(`${message} (the object was created with id ${id}; the next update finishes it)`), {
    id,
    // The launcher does not add the serialised provider to a failed create's properties; later
    // operations need it.
    properties: { ...properties, __provider: inputs.__provider },
    reasons: [message],
  });
}

export function sameStringSet(a: readonly string[], b: readonly string[]): boolean {
  const left = [...new Set(a)].sort();
  const right = [...new Set(b)].sort();
  return left.length === right.length && left.every((value, index) => value === right[index]);
}
