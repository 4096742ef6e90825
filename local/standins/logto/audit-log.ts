/**
 * Logto's audit log as packages/core/src/middleware/koa-audit-log.ts writes it: one `logs` row per entry a
 * request created, its payload `{ip, userAgent, applicationId, ...what the route appended, key, result}`, and
 * on failure `result: "Error"` with `error: {message, code, data}` of the RequestError (the IdP's answer
 * included: that is where an AADSTS code ends up, never on the sign-in page). The experience's entries carry
 * the interaction's client as `applicationId` (routes/experience/middleware/koa-experience-audit-log.ts).
 */
import type { IncomingMessage } from "node:http";

import { newRowId } from "./ids";
import { RequestError } from "./sign-in/errors";
import { tenantId, type LogRow, type LogtoState } from "./state";

/** Where Logto keeps the IdP's answer to a sign-in (the verification step's entry). */
export const enterpriseSsoVerificationLogKey = "Interaction.SignIn.Verification.EnterpriseSso.Submit";

export interface LogContext {
  state: LogtoState;
  request: IncomingMessage;
  applicationId?: string;
}

/** Appends one entry; `failure` makes it an `Error` entry carrying the RequestError's message, code and data. */
export function writeLog(
  { state, request, applicationId }: LogContext,
  key: string,
  fields: Record<string, unknown>,
  failure?: unknown,
): void {
  const error =
    failure === undefined
      ? undefined
      : failure instanceof RequestError
        ? {
            message: failure.message,
            code: failure.code,
            ...(failure.data === undefined ? {} : { data: failure.data }),
          }
        : { message: failure instanceof Error ? failure.message : JSON.stringify(failure) };
  const payload: LogRow["payload"] = {
    ip: request.socket.remoteAddress ?? "",
    ...(request.headers["user-agent"] === undefined ? {} : { userAgent: request.headers["user-agent"] }),
    ...(applicationId === undefined ? {} : { applicationId }),
    ...fields,
    key,
    result: error === undefined ? "Success" : "Error",
    ...(error === undefined ? {} : { error }),
  };
  state.logs.push({ tenantId, id: newRowId(), key, payload, createdAt: Date.now() });
}
