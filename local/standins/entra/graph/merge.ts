import { isPlainObject } from "../../shared/json";

/** Graph annotations in a body (`@odata.type`, `owners@odata.bind`, `@odata.id`): instructions, not properties. */
const isAnnotation = (key: string): boolean => key.includes("@odata.");

function withoutAnnotations(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(withoutAnnotations);
  if (!isPlainObject(value)) return value;
  return Object.fromEntries(
    Object.entries(value)
      .filter(([key]) => !isAnnotation(key))
      .map(([key, item]) => [key, withoutAnnotations(item)]),
  );
}

/**
 * Applies a POST or PATCH body to `target` as Graph does: objects merge property by property (a PATCH of
 * `web` carries only the changed sub-properties), arrays and scalars replace, an explicit `null` resets a
 * property to what a new object has (`defaults`), annotations and `ignored` (read-only) properties are skipped.
 */
export function mergeGraphBody(
  target: Record<string, unknown>,
  body: Record<string, unknown>,
  defaults: Record<string, unknown>,
  ignored: ReadonlySet<string> = new Set(),
): void {
  for (const [key, value] of Object.entries(body)) {
    if (isAnnotation(key) || ignored.has(key)) continue;
    const fallback = defaults[key];
    if (value === null) {
      target[key] = structuredClone(fallback ?? null);
    } else if (isPlainObject(value)) {
      const current = target[key];
      const base = isPlainObject(current) ? current : isPlainObject(fallback) ? structuredClone(fallback) : {};
      mergeGraphBody(base, value, isPlainObject(fallback) ? fallback : {});
      target[key] = base;
    } else {
      target[key] = withoutAnnotations(value);
    }
  }
}
