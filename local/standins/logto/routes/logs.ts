/**
 * The audit log, as logto-io/logto packages/core/src/routes/log.ts serves it: `GET /api/logs` (required
 * pagination, newest first, filtered by `logKey`, `userId`, `applicationId` as queries/log.ts does) and
 * `GET /api/logs/{id}`. The stand-in writes only the sign-in experience's entries (`Interaction.*`).
 */
import { ApiError, notExistsWithId } from "../http";
import { paginate } from "../pagination";
import { newestFirst } from "../state";
import type { Route, RouteContext } from "./context";

const filters = ["logKey", "userId", "applicationId"] as const;

function listLogs(context: RouteContext) {
  const unsupported = [...context.query.keys()].filter(
    (key) => !["page", "page_size", ...filters].includes(key as (typeof filters)[number]),
  );
  if (unsupported.length > 0) {
    throw new ApiError(501, {
      code: "standin.unsupported_query",
      message: `The stand-in filters logs by ${filters.join(", ")} only, not ${unsupported.join(", ")}.`,
    });
  }
  const [logKey, userId, applicationId] = filters.map((name) => context.query.get(name) || undefined);
  const rows = newestFirst(context.state.logs).filter(
    (row) =>
      (logKey === undefined || row.key === logKey) &&
      (userId === undefined || row.payload.userId === userId) &&
      (applicationId === undefined || row.payload.applicationId === applicationId),
  );
  const page = paginate(rows, context.query, context.origin, context.pathname, { required: true });
  return { status: 200, body: page.rows, headers: page.headers };
}

export const logRoutes: Route[] = [
  { method: "GET", pattern: /^\/api\/logs$/, handle: listLogs },
  {
    method: "GET",
    pattern: /^\/api\/logs\/([^/]+)$/,
    handle: (context) => {
      const [id] = context.params;
      const row = context.state.logs.find((log) => log.id === id);
      if (!row) throw notExistsWithId("logs", id);
      return { status: 200, body: row };
    },
  },
];
