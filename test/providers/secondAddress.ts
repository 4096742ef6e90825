import http from "node:http";
import type { AddressInfo } from "node:net";

export interface SecondAddress {
  /** `http://127.0.0.1:<port>`: the same Logto under another address. */
  url: string;
  close(): Promise<void>;
}

/**
 * The same Logto under a second address on 127.0.0.1, as a reverse proxy, a tunnel or an internal address gives
 * it. With `ownIssuer` the discovery document names this address as the issuer, as a second Logto core with
 * another ENDPOINT on the same database does, or a Logto Cloud custom domain (logto-io/logto
 * packages/core/src/env-set/index.ts): the tenant's public origin changes. Without it, Logto still publishes its
 * own address (a tunnel to it).
 */
export async function startSecondAddress(target: string, options: { ownIssuer: boolean }): Promise<SecondAddress> {
  let own = "";
  const server = http.createServer((request, response) => {
    const upstream = http.request(
      `${target}${request.url ?? "/"}`,
      { method: request.method, headers: { ...request.headers, host: new URL(target).host } },
      (answer) => {
        const rewrite = options.ownIssuer && request.url === "/oidc/.well-known/openid-configuration";
        if (!rewrite) {
          response.writeHead(answer.statusCode ?? 502, answer.headers);
          answer.pipe(response);
          return;
        }
        const chunks: Buffer[] = [];
        answer.on("data", (chunk: Buffer) => chunks.push(chunk));
        answer.on("end", () => {
          const text = Buffer.concat(chunks).toString("utf8").split(target).join(own);
          const headers = { ...answer.headers, "content-length": String(Buffer.byteLength(text)) };
          response.writeHead(answer.statusCode ?? 502, headers);
          response.end(text);
        });
      },
    );
    upstream.on("error", () => response.destroy());
    request.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  own = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    url: own,
    close: () =>
      new Promise((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
