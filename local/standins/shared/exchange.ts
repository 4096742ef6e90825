/**
 * What the stand-ins share about answering a request: the reply, the route table lookup, and the pipeline
 * every request goes through (record it, parse its body, apply a fault, answer, write or drop the answer).
 */
import type { IncomingMessage, RequestListener, ServerResponse } from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

import type { FaultInjector, FaultSpec } from "./faults";

/** What a route answers; the pipeline writes it (or drops it, for a lost-response fault). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

/**
 * Writes `reply`: bytes (a proxied answer) or a string body with its own content type (an HTML page) as they
 * are, any other body as JSON with `application/json; charset=utf-8` unless the reply names its own type.
 */
export function writeReply(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = { ...reply.headers };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  if (Buffer.isBuffer(reply.body)) {
    headers["content-length"] = String(reply.body.length);
    response.writeHead(reply.status, headers);
    response.end(reply.body);
    return;
  }
  const text =
    typeof reply.body === "string" && headers["content-type"] !== undefined ? reply.body : JSON.stringify(reply.body);
  headers["content-type"] ??= "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(text));
  response.writeHead(reply.status, headers);
  response.end(text);
}

export type ParsedBody = { ok: true; body: unknown } | { ok: false; reply: Reply };

/** Parses a JSON or form body the way koa-body and Graph do: an empty body is `undefined`. */
export function parseBody(text: string, contentType: string, invalidJson: () => Reply): ParsedBody {
  if (text.length === 0) return { ok: true, body: undefined };
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return { ok: true, body: Object.fromEntries(new URLSearchParams(text)) };
  }
  try {
    return { ok: true, body: JSON.parse(text) };
  } catch {
    return { ok: false, reply: invalidJson() };
  }
}

export interface RoutePattern {
  method: string;
  pattern: RegExp;
}

export type RouteLookup<Route> =
  | { kind: "found"; route: Route; params: string[] }
  | { kind: "methodNotAllowed"; allowed: string[] }
  | { kind: "notFound" };

/** The route for `method` + `pathname`, with its decoded captures; or why there is none. */
export function findRoute<Route extends RoutePattern>(
  routes: readonly Route[],
  method: string,
  pathname: string,
): RouteLookup<Route> {
  const matching = routes
    .map((route) => ({ route, match: route.pattern.exec(pathname) }))
    .filter((candidate): candidate is { route: Route; match: RegExpExecArray } => candidate.match !== null);
  if (matching.length === 0) return { kind: "notFound" };
  const found = matching.find(({ route }) => route.method === method);
  if (!found) return { kind: "methodNotAllowed", allowed: matching.map(({ route }) => route.method) };
  return {
    kind: "found",
    route: found.route,
    params: found.match.slice(1).map((segment) => decodeURIComponent(segment)),
  };
}

/** What every stand-in records of a request. */
export interface RecordedExchange {
  method: string;
  path: string;
  query: Record<string, string>;
  /** Parsed JSON or form body, secrets as sent. */
  body: unknown;
  /** Status answered (or, for a lost response, the one that would have been); 0 while in flight or if dropped before. */
  status: number;
  dropped?: FaultSpec["drop"];
  /** Arrival order across every stand-in of this process, so the logs of two stand-ins can be interleaved. */
  sequence: number;
  /** When it arrived (ms since the epoch), to order it against events of other systems (e.g. Docker's). */
  receivedAt: number;
  /** When its answer was written or it was dropped (ms since the epoch); absent while in flight. */
  answeredAt?: number;
}

let arrivals = 0;

/** The log entry of a request that just arrived: no body or status yet. */
export function arrivedExchange(request: IncomingMessage, url: URL): RecordedExchange {
  arrivals += 1;
  return {
    method: request.method ?? "GET",
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    body: undefined,
    status: 0,
    sequence: arrivals,
    receivedAt: Date.now(),
  };
}

export interface ExchangeHooks<Entry extends RecordedExchange> {
  faults: FaultInjector;
  /** Aborted when the stand-in closes: delays stop and answers still in the making are not written. */
  closing: AbortSignal;
  /** Makes the log entry of a request that just arrived, and keeps it. */
  record(request: IncomingMessage, url: URL): Entry;
  parse(text: string, contentType: string, url: URL): ParsedBody;
  answer(request: IncomingMessage, url: URL, entry: Entry): Promise<Reply>;
  /** The answer to a fault with a `status`, in the stand-in's own error shape unless the fault has a body. */
  faultReply(fault: FaultSpec & { status: number }, url: URL): Reply;
  /** The answer when `answer` throws. */
  errorReply(error: unknown, url: URL): Reply;
}

export async function readText(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  return Buffer.concat(chunks).toString("utf8");
}

/** Handles one request; `bodyText` is the body when the caller had to read it already (to route the request). */
export type ExchangeHandler = (request: IncomingMessage, response: ServerResponse, bodyText?: string) => void;

/** The request handler: record, parse, fault (delay, drop or status), answer, write. */
export function exchangeHandler<Entry extends RecordedExchange>(
  origin: () => string,
  hooks: ExchangeHooks<Entry>,
): ExchangeHandler {
  async function handle(
    request: IncomingMessage,
    response: ServerResponse,
    bodyText: string | undefined,
  ): Promise<void> {
    const method = request.method ?? "GET";
    const url = new URL(request.url ?? "/", origin());
    const entry = hooks.record(request, url);
    const parsed = hooks.parse(bodyText ?? (await readText(request)), request.headers["content-type"] ?? "", url);
    if (parsed.ok) entry.body = parsed.body;

    const fault = hooks.faults.take(method, url.pathname);
    if (hooks.faults.latencyMs > 0) await sleep(hooks.faults.latencyMs, undefined, { signal: hooks.closing });
    if (fault?.delayMs) await sleep(fault.delayMs, undefined, { signal: hooks.closing });
    if (fault?.drop === "before") {
      entry.dropped = "before";
      entry.answeredAt = Date.now();
      request.socket.destroy();
      return;
    }

    let reply: Reply;
    if (fault?.status !== undefined) {
      reply = hooks.faultReply({ ...fault, status: fault.status }, url);
    } else if (!parsed.ok) {
      reply = parsed.reply;
    } else {
      try {
        reply = await hooks.answer(request, url, entry);
      } catch (error) {
        if (hooks.closing.aborted) return;
        reply = hooks.errorReply(error, url);
      }
    }
    entry.status = reply.status;
    if (fault?.drop === "afterCommit") {
      entry.dropped = "afterCommit";
      entry.answeredAt = Date.now();
      request.socket.destroy();
      return;
    }
    writeReply(response, reply);
    entry.answeredAt = Date.now();
  }

  return (request, response, bodyText) => {
    handle(request, response, bodyText).catch(() => {
      // The stand-in closed during a delay, or the request stream broke: nothing to answer.
      request.socket.destroy();
    });
  };
}

/** `exchangeHandler` as a server's request listener. */
export function exchangeListener<Entry extends RecordedExchange>(
  origin: () => string,
  hooks: ExchangeHooks<Entry>,
): RequestListener {
  const handle = exchangeHandler(origin, hooks);
  return (request, response) => handle(request, response);
}
