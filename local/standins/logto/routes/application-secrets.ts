import { guardBody, nullable, number, object, optional, string } from "../guard";
import { ApiError } from "../http";
import { newSecretValue } from "../ids";
import { tenantId, type AppSecretRow } from "../state";
import { existingApplication } from "./applications";
import type { Route, RouteContext } from "./context";

const createSchema = object({
  name: string({ min: 1, max: 256 }),
  expiresAt: optional(nullable(number())),
});

function createSecret(context: RouteContext) {
  const body = guardBody(createSchema, context.body);
  const application = existingApplication(context);
  if (typeof body.expiresAt === "number" && body.expiresAt <= Date.now()) {
    const details = "The value of `expiresAt` must be in the future.";
    throw new ApiError(400, { code: "request.invalid_input", details, message: `Input is invalid. ${details}` });
  }
  const secrets = context.state.secretsOf(application.id);
  if (secrets.some(({ name }) => name === body.name)) {
    throw new ApiError(422, { code: "application.secret_name_exists", message: "Secret name already exists." });
  }
  const row: AppSecretRow = {
    tenantId,
    applicationId: application.id,
    name: body.name,
    value: newSecretValue(),
    createdAt: Date.now(),
    expiresAt: body.expiresAt ?? null,
  };
  secrets.push(row);
  return { status: 201, body: row };
}

function deleteSecret(context: RouteContext) {
  const [applicationId, name] = context.params;
  const secrets = context.state.appSecrets.get(applicationId) ?? [];
  const index = secrets.findIndex((secret) => secret.name === name);
  // Logto deletes by (application, name) without looking the application up: both misses are `entity.not_found` (22b).
  if (index < 0) throw new ApiError(404, { code: "entity.not_found", message: "The resource does not exist." });
  secrets.splice(index, 1);
  return { status: 204 };
}

export const applicationSecretRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/applications\/([^/]+)\/secrets$/,
    handle: (context) => ({ status: 200, body: context.state.secretsOf(existingApplication(context).id) }),
  },
  { method: "POST", pattern: /^\/api\/applications\/([^/]+)\/secrets$/, handle: createSecret },
  { method: "DELETE", pattern: /^\/api\/applications\/([^/]+)\/secrets\/([^/]+)$/, handle: deleteSecret },
];
