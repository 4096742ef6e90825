export interface FaultSpec {
  /** HTTP method to match (any when absent), case-insensitive. */
  method?: string;
  /** Request path without the query: equal to a string, or matching a RegExp. */
  path: string | RegExp;
  /** Answer with this status instead of doing the operation. */
  status?: number;
  /** Body for `status`; default: an error in the stand-in's own shape saying the fault was injected. */
  body?: unknown;
  /** Adds a `Retry-After` header to a `status` answer. */
  retryAfterSeconds?: number;
  /** Extra headers of a `status` answer, e.g. `location` for a redirect. */
  headers?: Record<string, string>;
  /** Waits this long before answering (or dropping); then performs normally unless `status` is given. */
  delayMs?: number;
  /** "before": destroy the socket, do nothing. "afterCommit": do the operation, then destroy the socket (lost response). */
  drop?: "before" | "afterCommit";
  /** How many matching requests this fault applies to; default 1. */
  times?: number;
}

interface ArmedFault {
  spec: FaultSpec;
  remaining: number;
}

function checkSpec(spec: FaultSpec): void {
  const problem = (field: string, fix: string): Error => new Error(`faults.add: \`${field}\` ${fix}`);
  if (typeof spec.path !== "string" && !(spec.path instanceof RegExp)) {
    throw problem(
      "path",
      'is required: give the request path ("/api/sso-connectors", "/v1.0/applications") or a RegExp',
    );
  }
  if (spec.times !== undefined && !(spec.times === Infinity || (Number.isInteger(spec.times) && spec.times >= 1))) {
    throw problem("times", `must be a whole number >= 1 or Infinity, got ${spec.times}`);
  }
  if (spec.status !== undefined && !(Number.isInteger(spec.status) && spec.status >= 100 && spec.status <= 599)) {
    throw problem("status", `must be an HTTP status 100-599, got ${spec.status}`);
  }
  if (spec.delayMs !== undefined && !(spec.delayMs >= 0)) {
    throw problem("delayMs", `must be >= 0, got ${spec.delayMs}`);
  }
  if (spec.drop !== undefined && spec.status !== undefined) {
    throw problem("drop", "cannot be combined with `status`: a dropped connection has no answer; use one of them");
  }
  if (spec.headers !== undefined && spec.status === undefined) {
    throw problem("headers", "only applies to a `status` answer; add `status` (e.g. 302)");
  }
  if (spec.retryAfterSeconds !== undefined && spec.status === undefined) {
    throw problem("retryAfterSeconds", "only applies to a `status` answer; add `status` (e.g. 429 or 503)");
  }
}

/** Faults matched in the order they were added; each is used up after `times` matching requests. */
export class FaultInjector {
  private armed: ArmedFault[] = [];
  private addedLatencyMs = 0;

  /**
   * Added to every request before it is answered (a slow network or a distant tenant), faulted or not; the
   * benchmark measures with it. `clear()` keeps it.
   */
  get latencyMs(): number {
    return this.addedLatencyMs;
  }

  set latencyMs(value: number) {
    if (!(Number.isFinite(value) && value >= 0))
      throw new Error(`faults.latencyMs must be a number of milliseconds >= 0, got ${value}`);
    this.addedLatencyMs = value;
  }

  add(spec: FaultSpec): void {
    checkSpec(spec);
    this.armed.push({ spec: { ...spec }, remaining: spec.times ?? 1 });
  }

  clear(): void {
    this.armed = [];
  }

  /** Faults not yet used up, in matching order. */
  get pending(): readonly FaultSpec[] {
    return this.armed.map(({ spec }) => spec);
  }

  /** Consumes one use of the first fault matching this request, if any. */
  take(method: string, path: string): FaultSpec | undefined {
    const index = this.armed.findIndex(({ spec }) => {
      const methodMatches = spec.method === undefined || spec.method.toUpperCase() === method.toUpperCase();
      if (spec.path instanceof RegExp) spec.path.lastIndex = 0; // a /g or /y RegExp would otherwise remember its last match
      const pathMatches = typeof spec.path === "string" ? spec.path === path : spec.path.test(path);
      return methodMatches && pathMatches;
    });
    if (index < 0) return undefined;
    const fault = this.armed[index];
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.armed.splice(index, 1);
    return fault.spec;
  }
}
