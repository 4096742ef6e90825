/**
 * What one engine operation asked of the stand-ins, from their request logs: tokens, reads, writes, and how
 * many requests were in flight at once; and the call-count floors the benchmark holds the provider to.
 */
import type { RecordedExchange } from "../local/standins/shared/exchange";

export type Operation = "up" | "preview" | "up (no-op)" | "preview --refresh" | "refresh" | "destroy";
export const operations: readonly Operation[] = [
  "up",
  "preview",
  "up (no-op)",
  "preview --refresh",
  "refresh",
  "destroy",
];

export interface CallCounts {
  token: number;
  get: number;
  post: number;
  /** PATCH and PUT. */
  patch: number;
  delete: number;
  /** The most requests this system was answering at one moment. */
  maxInFlight: number;
}

const tokenPaths = [/^\/oidc\/token$/, /\/oauth2\/v2\.0\/token$/];

/** Counts the requests that arrived after `afterSequence` (token requests apart from the API's). */
export function countCalls(log: readonly RecordedExchange[], afterSequence: number): CallCounts {
  const requests = log.filter((entry) => entry.sequence > afterSequence);
  const counts: CallCounts = { token: 0, get: 0, post: 0, patch: 0, delete: 0, maxInFlight: maxInFlight(requests) };
  for (const { method, path } of requests) {
    if (method === "POST" && tokenPaths.some((pattern) => pattern.test(path))) counts.token++;
    else if (method === "GET") counts.get++;
    else if (method === "POST") counts.post++;
    else if (method === "PATCH" || method === "PUT") counts.patch++;
    else if (method === "DELETE") counts.delete++;
  }
  return counts;
}

/** The peak of overlapping [arrived, answered] intervals; one still unanswered counts until now. */
function maxInFlight(requests: readonly RecordedExchange[]): number {
  const edges = requests.flatMap((entry) => [
    { at: entry.receivedAt, step: 1 },
    { at: entry.answeredAt ?? Date.now(), step: -1 },
  ]);
  // At the same millisecond an answer goes before an arrival: a request sent after the previous one's answer
  // is not concurrent with it.
  edges.sort((a, b) => a.at - b.at || a.step - b.step);
  let current = 0;
  let peak = 0;
  for (const edge of edges) {
    current += edge.step;
    peak = Math.max(peak, current);
  }
  return peak;
}

/** How many Logto objects of each kind the stack holds, which the floors are counted in. */
export interface LogtoObjects {
  /** Objects with their own URL: applications, connectors. */
  addressable: number;
  /** Of those, applications. */
  applications: number;
  /** Application secrets (created by POST, deleted by DELETE by name). */
  secrets: number;
  /** The sign-in experience switch: a PATCH of a singleton, no POST or DELETE of its own. */
  switches: number;
}

/**
 * The floors of issue 13 for the Logto Management API (the provider's own calls): no request at all on a
 * plain preview; one token per provider process (one per operation); no write on a no-op up, a refresh or a
 * preview; one GET per object on a refresh; one POST per object on create, with a fixed number of GETs; one DELETE
 * per object on destroy, with a GET per secret and two for the switch.
 */
export function logtoFloorViolations(operation: Operation, counts: CallCounts, objects: LogtoObjects): string[] {
  const violations: string[] = [];
  const over = (what: string, seen: number, floor: number) => {
    if (seen > floor) violations.push(`${operation}: ${seen} Logto ${what}, floor ${floor}`);
  };
  const all = objects.addressable + objects.secrets + objects.switches;
  const writes = counts.post + counts.patch + counts.delete;
  over("tokens", counts.token, 1);
  switch (operation) {
    case "preview":
      over("requests", counts.token + counts.get + writes, 0);
      break;
    case "up (no-op)":
      over("writes", writes, 0);
      over("GETs", counts.get, 0);
      break;
    case "preview --refresh":
    case "refresh":
      over("writes", writes, 0);
      over("GETs", counts.get, all);
      break;
    case "up":
      over("POSTs", counts.post, objects.addressable + objects.secrets);
      over("PATCH/PUTs", counts.patch, objects.switches);
      // Logto gives a new traditional web app a "Default secret"; the stack replaces it by its own named one.
      over("DELETEs", counts.delete, objects.applications);
      // However many connectors: Logto's discovery document (callback URIs), one tenant-wide connector list
      // for the whole operation (Logto fetches every listed issuer to answer it), each application's secrets
      // (to find the default one) and the sign-in experience.
      over("GETs", counts.get, 2 + objects.applications + objects.switches);
      break;
    case "destroy":
      over("DELETEs", counts.delete, objects.addressable + objects.secrets);
      over("POSTs", counts.post, 0);
      over("PATCH/PUTs", counts.patch, objects.switches);
      // Each secret's own (made by this stack?), and the switch's: is a connector left, is it on.
      over("GETs", counts.get, objects.secrets + 2 * objects.switches);
      break;
  }
  return violations;
}

/**
 * Graph: the reads are the azuread provider's own (several per resource, as the real one does), so only what
 * the program decides is held: no write on a plain preview, a no-op up or a refresh, and one token per tenant
 * (one azuread provider process each) per operation.
 */
export function graphFloorViolations(operation: Operation, counts: CallCounts, tenants: number): string[] {
  const violations: string[] = [];
  const writes = counts.post + counts.patch + counts.delete;
  if (counts.token > tenants) violations.push(`${operation}: ${counts.token} Entra tokens for ${tenants} tenants`);
  if (["preview", "up (no-op)", "preview --refresh", "refresh"].includes(operation) && writes > 0) {
    violations.push(`${operation}: ${writes} Graph writes, floor 0`);
  }
  return violations;
}
