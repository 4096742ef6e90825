/**
 * The two error shapes a client of this stand-in sees: Entra's login endpoints
 * (`{error, error_description: "AADSTS…\r\nTrace ID…", error_codes, timestamp, trace_id, correlation_id, error_uri}`)
 * and Microsoft Graph's (`{error: {code, message, innerError: {date, request-id, client-request-id}}}`).
 */
import type { Reply } from "../shared/exchange";
import { newGuid } from "./ids";

/** Ids a reply carries so a failure can be traced, as Entra's and Graph's do. */
export interface RequestIds {
  requestId: string;
  clientRequestId: string;
}

export class LoginError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    /** The AADSTS number; 0 for answers of the stand-in's own, which have no AADSTS prefix or error code. */
    readonly aadsts: number,
    readonly description: string,
  ) {
    super(aadsts > 0 ? `AADSTS${aadsts}: ${description}` : description);
  }

  toReply(origin: string, ids: RequestIds, now = new Date()): Reply {
    const timestamp = now
      .toISOString()
      .replace("T", " ")
      .replace(/\.\d{3}Z$/, "Z");
    const correlationId = ids.clientRequestId;
    return {
      status: this.status,
      headers: { "x-ms-request-id": ids.requestId, "cache-control": "no-store, no-cache" },
      body: {
        error: this.error,
        error_description: `${this.message}\r\nTrace ID: ${ids.requestId}\r\nCorrelation ID: ${correlationId}\r\nTimestamp: ${timestamp}`,
        error_codes: this.aadsts > 0 ? [this.aadsts] : [],
        timestamp,
        trace_id: ids.requestId,
        correlation_id: correlationId,
        ...(this.aadsts > 0 ? { error_uri: `${origin}/error?code=${this.aadsts}` } : {}),
      },
    };
  }
}

/** AADSTS90002, as the token and discovery endpoints answer for a tenant that does not exist. */
export const tenantNotFound = (tenant: string): LoginError =>
  new LoginError(
    400,
    "invalid_tenant",
    90002,
    `Tenant '${tenant}' not found. Check to make sure you have the correct tenant ID and are signing into the correct cloud. Check with your subscription administrator, this may happen if there are no active subscriptions for the tenant.`,
  );

export class GraphError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }
}

/** Graph's `innerError.date`: seconds, no zone. */
const innerErrorDate = (now: Date): string => now.toISOString().replace(/\.\d{3}Z$/, "");

export function graphErrorReply(
  status: number,
  code: string,
  message: string,
  ids: RequestIds,
  headers: Record<string, string> = {},
): Reply {
  return {
    status,
    headers,
    body: {
      error: {
        code,
        message,
        innerError: {
          date: innerErrorDate(new Date()),
          "request-id": ids.requestId,
          "client-request-id": ids.clientRequestId,
        },
      },
    },
  };
}

export const requestIdsFor = (clientRequestId: string | string[] | undefined): RequestIds => {
  const requestId = newGuid();
  return {
    requestId,
    clientRequestId: typeof clientRequestId === "string" && clientRequestId !== "" ? clientRequestId : requestId,
  };
};

export const resourceNotFound = (id: string): GraphError =>
  new GraphError(
    404,
    "Request_ResourceNotFound",
    `Resource '${id}' does not exist or one of its queried reference-property objects are not present.`,
  );

export const graphBadRequest = (message: string): GraphError => new GraphError(400, "Request_BadRequest", message);

export const invalidProperty = (property: string, resource: string): GraphError =>
  graphBadRequest(`Invalid value specified for property '${property}' of resource '${resource}'.`);
