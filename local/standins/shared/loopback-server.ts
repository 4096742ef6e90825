import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";

export type LoopbackServer = http.Server | https.Server;

/** Listens on 127.0.0.1 with a free port; resolves to the server's origin, "http(s)://127.0.0.1:<port>". */
export async function listenOnLoopback(server: LoopbackServer): Promise<string> {
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => resolve());
  });
  const scheme = server instanceof https.Server ? "https" : "http";
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Closes the server and every open connection, keep-alive ones included. */
export function closeServer(server: LoopbackServer): Promise<void> {
  server.closeAllConnections();
  return new Promise<void>((resolve, reject) => server.close((error) => (error ? reject(error) : resolve())));
}
