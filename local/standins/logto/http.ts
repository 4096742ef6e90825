import type { Reply } from "../shared/exchange";
import type { FaultSpec } from "../shared/faults";

export type { Reply };

/** Logto's error body: `{code, message, data?, details?}`; the OIDC endpoint adds `error`/`error_description`. */
export interface ErrorBody {
  code: string;
  message: string;
  data?: unknown;
  details?: string;
  error?: string;
  error_description?: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: ErrorBody,
    readonly headers: Record<string, string> = {},
  ) {
    super(`${status} ${body.code}: ${body.message}`);
  }

  toReply(): Reply {
    return { status: this.status, body: this.body, headers: this.headers };
  }
}

/** 404 for a row looked up by id (14-*, 18-*); `table` is Logto's table name. */
export function notExistsWithId(table: string, id: string): ApiError {
  return new ApiError(404, {
    code: "entity.not_exists_with_id",
    message: `The ${table} with ID \`${id}\` does not exist.`,
  });
}

/** Logto's answer to a body that is not JSON. */
export const invalidJsonBody = (): ApiError =>
  new ApiError(400, {
    code: "guard.invalid_input",
    message: "The request body is invalid.",
    details: "The body is not valid JSON; send `Content-Type: application/json` with a JSON document.",
  });

/** An injected fault's answer, in Logto's error shape unless the fault brings its own body. */
export function faultReply(fault: FaultSpec & { status: number }): Reply {
  return {
    status: fault.status,
    body: fault.body ?? { code: "fault.injected", message: `Fault injected by the test: ${fault.status}.` },
    headers: {
      ...fault.headers,
      ...(fault.retryAfterSeconds === undefined ? {} : { "retry-after": String(fault.retryAfterSeconds) }),
    },
  };
}
