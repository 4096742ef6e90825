/**
 * A small validator that reports errors the way Logto's zod guards do (15-*, 05b, 23b, 23c): the same issue
 * objects, the same `details` text, unknown keys stripped. Only the schema kinds the stand-in needs.
 */
import { ApiError } from "./http";
import { isPlainObject } from "./json";

export type PathKey = string | number;

export type GuardIssue =
  | { code: "invalid_type"; expected: string; received: string; path: PathKey[]; message: string }
  | { received: string; code: "invalid_enum_value"; options: string[]; path: PathKey[]; message: string }
  | {
      code: "too_big";
      maximum: number;
      type: "string";
      inclusive: true;
      exact: false;
      message: string;
      path: PathKey[];
    }
  | {
      code: "too_small";
      minimum: number;
      type: "string" | "array";
      inclusive: true;
      exact: false;
      message: string;
      path: PathKey[];
    }
  | { code: "custom"; message: string; path: PathKey[] };

type Parsed<T> = { ok: true; value: T } | { ok: false };

export interface Schema<T> {
  readonly isOptional: boolean;
  parse(value: unknown, path: PathKey[], issues: GuardIssue[]): Parsed<T>;
}

interface OptionalSchema<T> extends Schema<T> {
  readonly isOptional: true;
}

type Shape = Record<string, Schema<unknown>>;
type Infer<S> = S extends Schema<infer T> ? T : never;
type RequiredKeys<S extends Shape> = { [K in keyof S]: S[K] extends OptionalSchema<unknown> ? never : K }[keyof S];
type OptionalKeys<S extends Shape> = Exclude<keyof S, RequiredKeys<S>>;
export type ObjectOf<S extends Shape> = { [K in RequiredKeys<S>]: Infer<S[K]> } & {
  [K in OptionalKeys<S>]?: Infer<S[K]>;
};

const invalid = { ok: false } as const;

function receivedType(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  if (typeof value === "number" && Number.isNaN(value)) return "nan";
  return typeof value;
}

function invalidType(expected: string, value: unknown, path: PathKey[]): GuardIssue {
  const received = receivedType(value);
  const message = received === "undefined" ? "Required" : `Expected ${expected}, received ${received}`;
  return { code: "invalid_type", expected, received, path, message };
}

function primitive<T>(expected: string, accepts: (value: unknown) => value is T): Schema<T> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      if (accepts(value)) return { ok: true, value };
      issues.push(invalidType(expected, value, path));
      return invalid;
    },
  };
}

export const boolean = (): Schema<boolean> => primitive("boolean", (v): v is boolean => typeof v === "boolean");
export const number = (): Schema<number> =>
  primitive("number", (v): v is number => typeof v === "number" && !Number.isNaN(v));

/** Any value that is present: for fields the stand-in stores without looking inside. */
export const anything = (): Schema<unknown> => primitive("unknown", (v): v is unknown => v !== undefined);

export function string(limits: { min?: number; max?: number } = {}): Schema<string> {
  const base = primitive("string", (v): v is string => typeof v === "string");
  return {
    isOptional: false,
    parse(value, path, issues) {
      const parsed = base.parse(value, path, issues);
      if (!parsed.ok) return parsed;
      const { min, max } = limits;
      if (min !== undefined && parsed.value.length < min) {
        const message = `String must contain at least ${min} character(s)`;
        issues.push({ code: "too_small", minimum: min, type: "string", inclusive: true, exact: false, message, path });
        return invalid;
      }
      if (max !== undefined && parsed.value.length > max) {
        const message = `String must contain at most ${max} character(s)`;
        issues.push({ code: "too_big", maximum: max, type: "string", inclusive: true, exact: false, message, path });
        return invalid;
      }
      return parsed;
    },
  };
}

export function enumOf<T extends string>(options: readonly T[]): Schema<T> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      if (typeof value === "string") {
        const match = options.find((option) => option === value);
        if (match !== undefined) return { ok: true, value: match };
        const expected = options.map((option) => `'${option}'`).join(" | ");
        const message = `Invalid enum value. Expected ${expected}, received '${value}'`;
        issues.push({ received: value, code: "invalid_enum_value", options: [...options], path, message });
        return invalid;
      }
      issues.push(invalidType(options.map((option) => `'${option}'`).join(" | "), value, path));
      return invalid;
    },
  };
}

export function array<T>(item: Schema<T>): Schema<T[]> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      if (!Array.isArray(value)) {
        issues.push(invalidType("array", value, path));
        return invalid;
      }
      const before = issues.length;
      const items: T[] = [];
      value.forEach((element, index) => {
        const parsed = item.parse(element, [...path, index], issues);
        if (parsed.ok) items.push(parsed.value);
      });
      return issues.length === before ? { ok: true, value: items } : invalid;
    },
  };
}

/** A free-form JSON object (Logto's `jsonObjectGuard`: `config`, `customData`). */
export function record(): Schema<Record<string, unknown>> {
  return primitive("object", isPlainObject);
}

/** An object with known keys; unknown keys are dropped, as zod does by default. */
export function object<S extends Shape>(shape: S): Schema<ObjectOf<S>> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      if (!isPlainObject(value)) {
        issues.push(invalidType("object", value, path));
        return invalid;
      }
      const before = issues.length;
      const output: Record<string, unknown> = {};
      for (const [key, schema] of Object.entries(shape)) {
        if (value[key] === undefined && schema.isOptional) continue;
        const parsed = schema.parse(value[key], [...path, key], issues);
        if (parsed.ok) output[key] = parsed.value;
      }
      // The loop above checked every key of `shape` against its schema.
      return issues.length === before ? { ok: true, value: output as ObjectOf<S> } : invalid;
    },
  };
}

export function optional<T>(schema: Schema<T>): OptionalSchema<T> {
  return { isOptional: true, parse: (value, path, issues) => schema.parse(value, path, issues) };
}

export function nullable<T>(schema: Schema<T>): Schema<T | null> {
  return {
    isOptional: false,
    parse: (value, path, issues) => (value === null ? { ok: true, value: null } : schema.parse(value, path, issues)),
  };
}

/** A check zod reports as `custom` / "Invalid input" (23c: a redirect URI that is not a URI). */
export function refine<T>(schema: Schema<T>, accepts: (value: T) => boolean): Schema<T> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      const parsed = schema.parse(value, path, issues);
      if (!parsed.ok || accepts(parsed.value)) return parsed;
      issues.push({ code: "custom", message: "Invalid input", path });
      return invalid;
    },
  };
}

export function transform<T, U>(schema: Schema<T>, map: (value: T) => U): Schema<U> {
  return {
    isOptional: false,
    parse(value, path, issues) {
      const parsed = schema.parse(value, path, issues);
      return parsed.ok ? { ok: true, value: map(parsed.value) } : parsed;
    },
  };
}

function issueDetail(issue: GuardIssue): string {
  const text =
    issue.code === "invalid_type" ? `Expected ${issue.expected} but received ${issue.received}.` : issue.message;
  return `Error in key path "${issue.path.join(".")}": (${issue.code}) ${text}`;
}

/** Validates a request body; an empty body counts as `{}` (koa-body). Throws Logto's 400 `guard.invalid_input`. */
export function guardBody<T>(schema: Schema<T>, body: unknown): T {
  const issues: GuardIssue[] = [];
  const parsed = schema.parse(body ?? {}, [], issues);
  if (parsed.ok) return parsed.value;
  throw new ApiError(400, {
    code: "guard.invalid_input",
    data: { issues, name: "ZodError" },
    details: issues.map(issueDetail).join("\n"),
    message: "The request body is invalid.",
  });
}
