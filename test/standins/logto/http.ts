import type { IncomingMessage, ServerResponse } from "node:http";

/** What a route answers; the dispatcher writes it (or drops it, for a lost-response fault). */
export interface Reply {
  status: number;
  body?: unknown;
  headers?: Record<string, string | string[]>;
}

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

/** Parses a JSON or form body the way koa-body does: an empty body is `undefined`. */
export async function readBody(request: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(Buffer.isBuffer(chunk) ? chunk : Buffer.from(String(chunk)));
  const text = Buffer.concat(chunks).toString("utf8");
  if (text.length === 0) return undefined;
  const contentType = request.headers["content-type"] ?? "";
  if (contentType.startsWith("application/x-www-form-urlencoded")) {
    return Object.fromEntries(new URLSearchParams(text));
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, {
      code: "guard.invalid_input",
      message: "The request body is invalid.",
      details: "The body is not valid JSON; send `Content-Type: application/json` with a JSON document.",
    });
  }
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  const headers: Record<string, string | string[]> = { ...reply.headers };
  if (reply.body === undefined) {
    response.writeHead(reply.status, headers);
    response.end();
    return;
  }
  const text = JSON.stringify(reply.body);
  headers["content-type"] = "application/json; charset=utf-8";
  headers["content-length"] = String(Buffer.byteLength(text));
  response.writeHead(reply.status, headers);
  response.end(text);
}
