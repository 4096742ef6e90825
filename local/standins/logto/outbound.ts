/**
 * The HTTP requests the Logto stand-in makes itself, as Logto's server does with got: issuer discovery, and at
 * sign-in the connector's token, key-set and userinfo requests. Only loopback hosts are contacted; https is
 * checked against `trustedCa` (PEMs) when given, else the system roots.
 */
import http from "node:http";
import https from "node:https";

export interface OutboundOptions {
  timeoutMs: number;
  signal: AbortSignal;
  trustedCa?: readonly string[];
}

export interface OutboundRequest {
  method?: "GET" | "POST";
  headers?: Record<string, string>;
  body?: string;
}

/** A response, or the error code of a request that got none (got's `RequestError` codes). */
export type Fetched = { kind: "response"; status: number; text: string } | { kind: "error"; code: string };

const loopbackHosts = new Set(["127.0.0.1", "localhost", "[::1]"]);

function transmit(
  url: URL,
  { timeoutMs, signal, trustedCa }: OutboundOptions,
  { method = "GET", headers = {}, body }: OutboundRequest,
): Promise<Fetched> {
  return new Promise((resolve) => {
    const options = { method, headers, signal, timeout: timeoutMs, ...(trustedCa ? { ca: [...trustedCa] } : {}) };
    const request = (url.protocol === "https:" ? https.request : http.request)(url, options, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("end", () =>
        resolve({ kind: "response", status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString("utf8") }),
      );
      response.on("error", () => resolve({ kind: "error", code: "ECONNRESET" }));
    });
    request.on("timeout", () => request.destroy(Object.assign(new Error("timeout"), { code: "ETIMEDOUT" })));
    request.on("error", (error: NodeJS.ErrnoException) => resolve({ kind: "error", code: error.code ?? "ECONNRESET" }));
    request.end(body);
  });
}

export function send(target: string, options: OutboundOptions, request: OutboundRequest = {}): Promise<Fetched> {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    return Promise.resolve({ kind: "error", code: "ERR_INVALID_URL" });
  }
  // Tests never leave the machine: any host off loopback is treated as a name that does not resolve, which is
  // what the recording machine (no internet) answered for login.microsoftonline.com (06-*).
  if (!loopbackHosts.has(url.hostname) || !["http:", "https:"].includes(url.protocol)) {
    return Promise.resolve({ kind: "error", code: "ENOTFOUND" });
  }
  return transmit(url, options, request);
}
