/**
 * Readers for stack config values. Each reports what is wrong with a value (field, value, why, fix) and
 * returns a usable fallback, so that checking goes on and every problem is reported at once.
 */

/** The project name in Pulumi.yaml, and so the namespace of this program's config keys. */
export const projectNamespace = "logto-entra-sso";

export function configKey(name: string): string {
  return `${projectNamespace}:${name}`;
}

export type Fields = { [key: string]: unknown };

/** What defaults and checks depend on besides the values themselves. */
export interface ValidationContext {
  stack: string;
  now: Date;
}

/** The command that sets a value; `field` is the full key, e.g. `logto-entra-sso:connections[0].name`. */
export function setHint(field: string, example: string): string {
  const path = field.startsWith(`${projectNamespace}:`) ? field.slice(projectNamespace.length + 1) : field;
  return `pulumi config set --path '${path}' ${example}`;
}

/** Collects problems; every reader returns a usable fallback so that checking goes on. */
export class Problems {
  readonly list: string[] = [];

  add(field: string, value: unknown, why: string): void {
    const shown = value === undefined ? "not set" : JSON.stringify(value);
    this.list.push(`${field} is ${shown}: ${why}`);
  }

  addAll(problems: string[]): void {
    this.list.push(...problems);
  }
}

/** Object and list settings arrive from the engine as JSON text. */
export function structured(value: unknown, field: string, problems: Problems): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    problems.add(field, value, "it must be a YAML object or list in Pulumi.<stack>.yaml, not plain text.");
    return undefined;
  }
}

/** The object's fields; undefined (and one problem) when it is no object, so its fields are not checked. */
export function readObject(
  value: unknown,
  field: string,
  problems: Problems,
  known: readonly string[],
): Fields | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== "object" || Array.isArray(value)) {
    problems.add(field, value, `it must be an object with the keys ${known.join(", ")}.`);
    return undefined;
  }
  const fields = value as Fields;
  for (const name of Object.keys(fields)) {
    if (!known.includes(name)) {
      problems.add(`${field}.${name}`, fields[name], `unknown setting; the known ones are ${known.join(", ")}.`);
    }
  }
  return fields;
}

export function readBoolean(value: unknown, field: string, fallback: boolean, problems: Problems): boolean {
  if (value === undefined) return fallback;
  if (typeof value === "boolean") return value;
  if (value === "true" || value === "false") return value === "true";
  problems.add(field, value, `use true or false (${setHint(field, String(!fallback))}).`);
  return fallback;
}

export function readInteger(
  value: unknown,
  field: string,
  range: { fallback: number; min: number; max: number; why: string },
  problems: Problems,
): number {
  if (value === undefined) return range.fallback;
  const number = typeof value === "string" && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof number === "number" && Number.isInteger(number) && number >= range.min && number <= range.max) {
    return number;
  }
  problems.add(field, value, `use a whole number from ${range.min} to ${range.max} (${range.why}).`);
  return range.fallback;
}

/** A non-empty string, or undefined when unset (a wrong type is a problem). */
export function readString(value: unknown, field: string, problems: Problems, fix: string): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value === "string" && value.trim() !== "") return value;
  problems.add(field, value, fix);
  return undefined;
}

export function readStringList(value: unknown, field: string, problems: Problems, example: string): string[] {
  if (value === undefined) return [];
  if (Array.isArray(value) && value.every((item) => typeof item === "string")) return value;
  problems.add(field, value, `it must be a list of strings, e.g. ${example}.`);
  return [];
}

export function readChoice<T extends string>(
  value: unknown,
  field: string,
  allowed: readonly T[],
  fallback: T,
  problems: Problems,
  explain: (value: string) => string | undefined = () => undefined,
): T {
  if (value === undefined) return fallback;
  if (typeof value === "string" && (allowed as readonly string[]).includes(value)) return value as T;
  const reason = typeof value === "string" ? explain(value) : undefined;
  problems.add(field, value, `${reason ? `${reason} ` : ""}use one of ${allowed.join(", ")}.`);
  return fallback;
}
