import { findRoute } from "../../shared/exchange";
import { ApiError, type Reply } from "../http";
import { applicationSecretRoutes } from "./application-secrets";
import { applicationRoutes } from "./applications";
import { logRoutes } from "./logs";
import { organizationTemplateRoutes } from "./organization-template";
import { organizationRoutes } from "./organizations";
import type { Route, RouteContext } from "./context";
import { signInExperienceRoutes } from "./sign-in-experience";
import { ssoConnectorRoutes } from "./sso-connectors";
import { userRoutes } from "./users";

const managementApiRoutes: Route[] = [
  ...ssoConnectorRoutes,
  ...applicationRoutes,
  ...applicationSecretRoutes,
  ...signInExperienceRoutes,
  ...userRoutes,
  ...logRoutes,
  ...organizationRoutes,
  ...organizationTemplateRoutes,
];

/** Runs the Management API route for `method` + `context.pathname` (already authorized). */
export async function routeManagementApi(method: string, context: Omit<RouteContext, "params">): Promise<Reply> {
  const lookup = findRoute(managementApiRoutes, method, context.pathname);
  if (lookup.kind === "notFound") {
    throw new ApiError(404, {
      code: "standin.route_not_found",
      message: `The Logto stand-in has no route ${context.pathname}; see local/standins/README.md for what it serves.`,
    });
  }
  if (lookup.kind === "methodNotAllowed") {
    throw new ApiError(
      405,
      {
        code: "standin.method_not_allowed",
        message: `${method} ${context.pathname} is not served; allowed: ${lookup.allowed.join(", ")}.`,
      },
      { allow: lookup.allowed.join(", ") },
    );
  }
  return lookup.route.handle({ ...context, params: lookup.params });
}
