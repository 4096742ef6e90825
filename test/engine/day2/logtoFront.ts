/**
 * Another address of a real Logto: a reverse proxy on 127.0.0.1 in front of it, as a team reaches one Logto at
 * its default address and through a gateway or tunnel. It rewrites nothing but the Host (the upstream's, as
 * gateways do), so Logto answers with its own issuer and URLs. Faults are injected here, at the edge, through
 * the stand-ins' own pipeline and in Logto's error shape (local/standins/shared/exchange.ts,
 * local/standins/logto/http.ts): what the journal needs of a failing Logto without touching the real one. It
 * logs what passes, as the stand-ins do: what a test reads of a real Logto's traffic. With `ownIssuer` its
 * discovery document names the front as issuer, as a second Logto core with another ENDPOINT on the same
 * database or a custom domain does (logto-io/logto packages/core/src/env-set/index.ts): the tenant's public
 * origin changes.
 */
import http from "node:http";

import {
  arrivedExchange,
  exchangeListener,
  type RecordedExchange,
  type Reply,
} from "../../../local/standins/shared/exchange";
import { FaultInjector } from "../../../local/standins/shared/faults";
import { faultReply } from "../../../local/standins/logto/http";
import { closeServer, listenOnLoopback } from "../../../local/standins/shared/loopback-server";

export interface LogtoFront {
  url: string;
  /** What came through the front, in order (bodies as sent, so secrets too: never print them). */
  requests: RecordedExchange[];
  close(): Promise<void>;
}

/** Headers that belong to one hop (or that fetch has already undone), not passed on. */
const hopHeaders = ["content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"];

const discoveryPath = "/oidc/.well-known/openid-configuration";

/**
 * `request` (its body read already) sent on to `url`, and the upstream's answer as it came; with `issuerAs`,
 * the discovery document with the upstream's origin replaced by it.
 */
async function forward(request: http.IncomingMessage, url: URL, body: string, issuerAs?: string): Promise<Reply> {
  const headers = new Headers();
  for (const [name, value] of Object.entries(request.headers)) {
    if (value === undefined || name === "host" || name === "connection") continue;
    for (const one of Array.isArray(value) ? value : [value]) headers.append(name, one);
  }
  const answer = await fetch(url, {
    method: request.method,
    headers,
    body: body.length > 0 ? body : undefined,
    redirect: "manual",
  });
  const out: Record<string, string | string[]> = {};
  answer.headers.forEach((value, name) => {
    if (!hopHeaders.includes(name)) out[name] = value;
  });
  const cookies = answer.headers.getSetCookie();
  if (cookies.length > 0) out["set-cookie"] = cookies;
  const bytes = Buffer.from(await answer.arrayBuffer());
  if (issuerAs === undefined || url.pathname !== discoveryPath)
    return { status: answer.status, body: bytes, headers: out };
  const rewritten = bytes.toString("utf8").split(url.origin).join(issuerAs);
  return { status: answer.status, body: Buffer.from(rewritten, "utf8"), headers: out };
}

/** A proxy to `upstream` (an origin) on a new port of 127.0.0.1, faulted by `faults`. */
export async function startLogtoFront(
  upstream: string,
  faults: FaultInjector,
  options: { ownIssuer?: boolean } = {},
): Promise<LogtoFront> {
  const closing = new AbortController();
  let own = "";
  const requests: RecordedExchange[] = [];
  const server = http.createServer(
    exchangeListener(() => upstream, {
      faults,
      closing: closing.signal,
      record(request, url) {
        const entry = arrivedExchange(request, url);
        requests.push(entry);
        return entry;
      },
      parse: (text) => ({ ok: true, body: text }),
      answer: (request, url, entry) => forward(request, url, String(entry.body), options.ownIssuer ? own : undefined),
      faultReply,
      errorReply: (error) => ({
        status: 502,
        body: { code: "front.upstream_failed", message: error instanceof Error ? error.message : String(error) },
      }),
    }),
  );
  const url = await listenOnLoopback(server);
  own = url;
  return {
    url,
    requests,
    close: async () => {
      closing.abort();
      await closeServer(server);
    },
  };
}
