/**
 * The building blocks of the stack config schema (zod 4). Every setting is a schema that reports what is wrong
 * with its value (field, value, why, fix) as a continuable issue and yields a usable fallback, so that the
 * checks of the objects around it still run and every problem is reported at once. Messages are written with
 * placeholders for the setting's name, which only the whole config knows: `{field}` (the full key, e.g.
 * `logto-entra-sso:connections[0].name`), `{path}` (the same without the namespace, as `pulumi config set
 * --path` takes it) and `{object}` (the path of the object the setting is in).
 */
import { z } from "zod";

/** The project name in Pulumi.yaml, and so the namespace of this program's config keys. */
export const projectNamespace = "logto-entra-sso";

export function configKey(name: string): string {
  return `${projectNamespace}:${name}`;
}

/** What defaults and checks depend on besides the values themselves. */
export interface ValidationContext {
  stack: string;
  now: Date;
}

export const fieldToken = "{field}";
const pathToken = "{path}";
/** The path of the object the setting is in. */
export const objectToken = "{object}";

/** The command that sets the setting a message is about. */
export function setHint(example: string, path = pathToken): string {
  return `pulumi config set --path '${path}' ${example}`;
}

function shown(value: unknown): string {
  return value === undefined ? "not set" : JSON.stringify(value);
}

/**
 * One whole problem line; `{field}` stands for the setting's name, `path` leads to a setting inside this one.
 * Continuable: the checks of the objects around it still run.
 */
export function report(ctx: z.RefinementCtx, line: string, path: PropertyKey[] = []): void {
  ctx.addIssue({ code: "custom", message: line, input: undefined, path, continue: true });
}

/** `{field} is <value>: <why>`. */
export function problem(ctx: z.RefinementCtx, value: unknown, why: string, path: PropertyKey[] = []): void {
  report(ctx, `${fieldToken} is ${shown(value)}: ${why}`, path);
}

/** A setting read by `read`, which reports its problems and returns the fallback for a wrong value. */
export function setting<T>(read: (value: unknown, ctx: z.RefinementCtx) => T) {
  // A prefault marks the setting as one that has a value when unset (its fallback), so zod runs it then too.
  return z
    .unknown()
    .prefault(undefined)
    .transform((value, ctx) => read(value, ctx));
}

/** A setting that is one of `allowed`; `explain` may say why a known wrong value is wrong. */
export function choice<T extends string, Fallback extends T | undefined>(
  allowed: readonly T[],
  fallback: Fallback,
  explain: (value: string) => string | undefined = () => undefined,
) {
  return setting((value, ctx): T | Fallback => {
    if (value === undefined) return fallback;
    if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
    const reason = typeof value === "string" ? explain(value) : undefined;
    problem(ctx, value, `${reason ? `${reason} ` : ""}use one of ${allowed.join(", ")}.`);
    return fallback;
  });
}

/** true or false, also as the text the engine hands over; `fallback` when unset. */
export function flag<T extends boolean | undefined>(fallback: T) {
  return setting((value, ctx): boolean | T => {
    if (value === undefined) return fallback;
    if (typeof value === "boolean") return value;
    if (value === "true" || value === "false") return value === "true";
    problem(ctx, value, `use true or false (${setHint(String(!(fallback ?? false)))}).`);
    return fallback;
  });
}

/** A whole number in a range, also as the text the engine hands over; `fallback` when unset. */
export function wholeNumber<T extends number | undefined>(range: {
  fallback: T;
  min: number;
  max: number;
  why: string;
}) {
  return setting((value, ctx): number | T => {
    if (value === undefined) return range.fallback;
    const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
    if (typeof number === "number" && Number.isInteger(number) && number >= range.min && number <= range.max) {
      return number;
    }
    problem(ctx, value, `use a whole number from ${range.min} to ${range.max} (${range.why}).`);
    return range.fallback;
  });
}

/** A non-empty string, or undefined when unset or wrong; `check` reports more and may refuse it (undefined). */
export function text(
  fix: string,
  check: (value: string, ctx: z.RefinementCtx) => string | undefined = (value) => value,
) {
  return setting((value, ctx): string | undefined => {
    if (value === undefined) return undefined;
    if (typeof value === "string" && value.trim() !== "") return check(value, ctx);
    problem(ctx, value, fix);
    return undefined;
  });
}

/** A list of strings; `check` reports the problems of its items and returns the ones kept. */
export function stringList(
  example: string,
  check: (list: string[], ctx: z.RefinementCtx) => string[] = (list) => list,
  whenEmpty?: string,
) {
  return setting((value, ctx): string[] => {
    if (whenEmpty !== undefined && (value === undefined || (Array.isArray(value) && value.length === 0))) {
      problem(ctx, value, whenEmpty);
      return [];
    }
    if (value === undefined) return [];
    if (Array.isArray(value) && value.every((item) => typeof item === "string")) return check(value, ctx);
    problem(ctx, value, `it must be a list of strings, e.g. ${example}.`);
    return [];
  });
}

/**
 * A secret string: only whether it is set and its type are ever reported, never the value; `check` may refuse
 * it with a whole reason (`<why>: <fix>`, after "is"). Undefined when unset, null when wrong (so that a check
 * of what is required tells the two apart).
 */
export function secretText(fix: string, check: (value: string) => string | undefined = () => undefined) {
  return setting((value, ctx): string | null | undefined => {
    if (value === undefined) return undefined;
    const refused = typeof value === "string" ? check(value) : undefined;
    const wrong = typeof value !== "string" ? "is not a string" : value === "" && !refused ? "is empty" : undefined;
    if (refused) report(ctx, `${fieldToken} is ${refused}`);
    else if (wrong) report(ctx, `${fieldToken} ${wrong}: ${fix}`);
    else return value as string;
    return null;
  });
}

/** Problem lines written for a field name, e.g. by the provider's shared checks, with `{field}` as the name. */
export function lines(ctx: z.RefinementCtx, problems: string[]): void {
  for (const line of problems) report(ctx, line);
}

/** Object and list settings arrive from the engine as JSON text. */
export function structured<T extends z.ZodType>(schema: T) {
  return z.preprocess((value, ctx) => {
    if (typeof value !== "string") return value;
    try {
      return JSON.parse(value) as unknown;
    } catch {
      problem(ctx, value, "it must be a YAML object or list in Pulumi.<stack>.yaml, not plain text.");
      return undefined;
    }
  }, schema);
}

/**
 * An object of known settings, and `check` for the rules between them. Unset is an empty object; unknown keys
 * are refused; anything else than an object is refused and undefined, so that its settings are not checked
 * and the checks around it go on.
 */
export function settings<Shape extends z.core.$ZodLooseShape>(
  shape: Shape,
  check: (value: z.output<z.ZodObject<Shape, z.core.$strict>>, ctx: z.RefinementCtx) => void = () => undefined,
) {
  const known = Object.keys(shape).join(", ");
  const object = z
    .strictObject(shape, { error: () => `unknown setting; the known ones are ${known}.` })
    .superRefine(check);
  const schema = z.preprocess((value, ctx) => {
    if (value === undefined || value === null) return {};
    if (typeof value === "object" && !Array.isArray(value)) return value;
    problem(ctx, value, `it must be an object with the keys ${known}.`);
    return undefined;
  }, object);
  // Typed for a successful parse; checks of the settings around it allow for undefined.
  return schema as unknown as z.ZodType<z.output<typeof object>, unknown>;
}

/** `connections[0].name` from zod's path. */
function pathName(path: readonly PropertyKey[]): string {
  return path
    .map((part, index) => (typeof part === "number" ? `[${part}]` : `${index ? "." : ""}${String(part)}`))
    .join("");
}

/** The problem lines of a failed parse, in the order zod found them; `fullKey` names a top-level setting. */
export function problemLines(error: z.ZodError, fullKey: (path: string) => string): string[] {
  return error.issues.flatMap((issue) => {
    const path = pathName(issue.path);
    const field = fullKey(path);
    if (issue.code === "unrecognized_keys") {
      const input = (issue.input ?? {}) as { [key: string]: unknown };
      return issue.keys.map((key) => `${field}.${key} is ${shown(input[key])}: ${issue.message}`);
    }
    const line = issue.code === "custom" ? issue.message : `${fieldToken} is ${shown(issue.input)}: ${issue.message}`;
    const object = pathName(issue.path.slice(0, -1));
    return [line.replaceAll(fieldToken, field).replaceAll(pathToken, path).replaceAll(objectToken, object)];
  });
}
