/**
 * Another address of a real Logto: a reverse proxy on 127.0.0.1 in front of it, as a team reaches one Logto at
 * its default address and through a gateway or tunnel. It rewrites nothing but the Host (the upstream's, as
 * gateways do), so Logto answers with its own issuer and URLs. Faults are injected here, at the edge, in the
 * shape Logto's errors have: what the journal needs of a failing Logto without touching the real one.
 */
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";

import { FaultInjector } from "../../../local/standins/shared/faults";
import { closeServer, listenOnLoopback } from "../../../local/standins/shared/loopback-server";

export interface LogtoFront {
  url: string;
  close(): Promise<void>;
}

async function readBody(request: http.IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

/** A proxy to `upstream` (an origin) on a new port of 127.0.0.1, faulted by `faults`. */
export async function startLogtoFront(upstream: string, faults: FaultInjector): Promise<LogtoFront> {
  const server = http.createServer((request, response) => {
    void (async () => {
      const url = new URL(request.url ?? "/", upstream);
      const fault = faults.take(request.method ?? "GET", url.pathname);
      if (fault?.delayMs) await sleep(fault.delayMs);
      if (fault?.drop === "before") return void request.socket.destroy();
      const body = await readBody(request);
      if (fault?.status !== undefined) {
        const error = fault.body ?? { code: "fault.injected", message: `Fault injected by the test: ${fault.status}.` };
        response.writeHead(fault.status, {
          "content-type": "application/json",
          ...(fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) }),
          ...fault.headers,
        });
        return void response.end(JSON.stringify(error));
      }
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
      const text = Buffer.from(await answer.arrayBuffer());
      if (fault?.drop === "afterCommit") return void request.socket.destroy();
      const out: Record<string, string | string[]> = {};
      answer.headers.forEach((value, name) => {
        if (!["content-encoding", "content-length", "transfer-encoding", "connection", "set-cookie"].includes(name))
          out[name] = value;
      });
      const cookies = answer.headers.getSetCookie();
      if (cookies.length > 0) out["set-cookie"] = cookies;
      response.writeHead(answer.status, out);
      response.end(text);
    })().catch(() => request.socket.destroy());
  });
  const url = await listenOnLoopback(server);
  return { url, close: () => closeServer(server) };
}
