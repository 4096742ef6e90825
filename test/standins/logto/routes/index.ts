import { ApiError, type Reply } from "../http";
import { applicationSecretRoutes } from "./application-secrets";
import { applicationRoutes } from "./applications";
import type { Route, RouteContext } from "./context";
import { signInExperienceRoutes } from "./sign-in-experience";
import { ssoConnectorRoutes } from "./sso-connectors";

const managementApiRoutes: Route[] = [
  ...ssoConnectorRoutes,
  ...applicationRoutes,
  ...applicationSecretRoutes,
  ...signInExperienceRoutes,
];

/** Runs the Management API route for `method` + `context.pathname` (already authorized). */
export async function routeManagementApi(method: string, context: Omit<RouteContext, "params">): Promise<Reply> {
  const matching = managementApiRoutes
    .map((route) => ({ route, match: route.pattern.exec(context.pathname) }))
    .filter((candidate): candidate is { route: Route; match: RegExpExecArray } => candidate.match !== null);
  if (matching.length === 0) {
    throw new ApiError(404, {
      code: "standin.route_not_found",
      message: `The Logto stand-in has no route ${context.pathname}; see test/standins/README.md for what it serves.`,
    });
  }
  const found = matching.find(({ route }) => route.method === method);
  if (!found) {
    const allowed = matching.map(({ route }) => route.method);
    throw new ApiError(
      405,
      { code: "standin.method_not_allowed", message: `${method} ${context.pathname} is not served; allowed: ${allowed.join(", ")}.` },
      { allow: allowed.join(", ") },
    );
  }
  const params = found.match.slice(1).map((segment) => decodeURIComponent(segment));
  return found.route.handle({ ...context, params });
}
