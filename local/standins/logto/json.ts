import { isPlainObject } from "../shared/json";

export { isPlainObject };

/**
 * Postgres `jsonb` stores object keys sorted by length, then bytewise, and Logto returns jsonb columns as
 * stored (07-*: config comes back as scope, issuer, clientId, clientSecret, trustUnverifiedEmail).
 */
export function jsonbOrdered(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(jsonbOrdered);
  if (!isPlainObject(value)) return value;
  const keys = Object.keys(value).sort((a, b) => a.length - b.length || (a < b ? -1 : a > b ? 1 : 0));
  return Object.fromEntries(keys.map((key) => [key, jsonbOrdered(value[key])]));
}
