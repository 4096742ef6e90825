/** Clients of the Entra stand-in for its tests: https with the run's CA, the deployer's token, Graph calls. */
import https from "node:https";

import { isPlainObject } from "../shared/json";
import type { EntraStandIn } from "./index";

export interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** Parsed JSON, or undefined for an empty body. */
  body: unknown;
  text: string;
}

export interface RequestSpec {
  method?: string;
  headers?: Record<string, string>;
  body?: string;
  /** CA certificates to trust; default the stand-in's CA. */
  ca?: string | string[];
}

/** One https request to `url`, trusting `ca` only. */
export function httpsRequest(url: string, { method = "GET", headers = {}, body, ca }: RequestSpec & { ca: string | string[] }): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const request = https.request(url, { method, headers, ca }, (response) => {
      const chunks: Buffer[] = [];
      response.on("data", (chunk: Buffer) => chunks.push(chunk));
      response.on("error", reject);
      response.on("end", () => {
        const text = Buffer.concat(chunks).toString("utf8");
        resolve({ status: response.statusCode ?? 0, headers: response.headers, body: text === "" ? undefined : JSON.parse(text), text });
      });
    });
    request.on("error", reject);
    request.end(body);
  });
}

export const call = (entra: EntraStandIn, path: string, spec: RequestSpec = {}): Promise<Answer> =>
  httpsRequest(`${entra.url}${path}`, { ...spec, ca: spec.ca ?? entra.caPem });

export function field(value: unknown, ...path: string[]): unknown {
  let current = value;
  for (const key of path) current = isPlainObject(current) ? current[key] : undefined;
  return current;
}

export function requestToken(entra: EntraStandIn, tenantId: string, form: Record<string, string>): Promise<Answer> {
  return call(entra, `/${tenantId}/oauth2/v2.0/token`, {
    method: "POST",
    headers: { "content-type": "application/x-www-form-urlencoded", accept: "application/json" },
    body: new URLSearchParams(form).toString(),
  });
}

/** A token as go-azure-sdk asks for it: client credentials, scope `<graph>/.default`. */
export async function tokenFor(entra: EntraStandIn, tenantId: string, clientId: string, clientSecret: string): Promise<string> {
  const answer = await requestToken(entra, tenantId, { client_id: clientId, client_secret: clientSecret, grant_type: "client_credentials", scope: `${entra.url}/.default` });
  const token = field(answer.body, "access_token");
  if (typeof token !== "string") throw new Error(`no token: ${answer.status} ${answer.text}`);
  return token;
}

export type GraphCall = (method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<Answer>;

/** Graph calls with a bearer token (the tenant's deployer unless `token` is given). */
export async function graphClient(entra: EntraStandIn, tenantId: string, token?: string): Promise<GraphCall> {
  const { clientId, clientSecret } = entra.deployer(tenantId);
  const bearer = token ?? (await tokenFor(entra, tenantId, clientId, clientSecret));
  return (method, path, body, headers = {}) =>
    call(entra, path, {
      method,
      headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { "content-type": "application/json" }), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
}

/** Graph's error body, `{error: {code, message, innerError: {date, request-id, client-request-id}}}`. */
export function graphError(answer: Answer): { code: unknown; message: unknown } {
  return { code: field(answer.body, "error", "code"), message: field(answer.body, "error", "message") };
}
