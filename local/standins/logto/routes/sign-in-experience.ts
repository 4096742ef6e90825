import {
  anything,
  array,
  boolean,
  guardBody,
  nullable,
  number,
  object,
  optional,
  record,
  string,
  type Schema,
} from "../guard";
import { isPlainObject } from "../json";
import type { Route, RouteContext } from "./context";

/** A field accepts values of the kind it holds now; fields that are null accept anything. */
function schemaLike(current: unknown): Schema<unknown> {
  if (typeof current === "boolean") return boolean();
  if (typeof current === "number") return number();
  if (typeof current === "string") return string();
  if (Array.isArray(current)) return array(anything());
  if (isPlainObject(current)) return record();
  return nullable(anything());
}

/** PATCH is partial at the top level: sent fields replace the stored ones (12-*); `id`/`tenantId` are fixed. */
function patchSignInExperience(context: RouteContext) {
  const current = context.state.signInExperience;
  const shape = Object.fromEntries(
    Object.entries(current)
      .filter(([key]) => key !== "id" && key !== "tenantId")
      .map(([key, value]) => [key, optional(schemaLike(value))]),
  );
  Object.assign(current, guardBody(object(shape), context.body));
  return { status: 200, body: current };
}

export const signInExperienceRoutes: Route[] = [
  {
    method: "GET",
    pattern: /^\/api\/sign-in-exp$/,
    handle: (context) => ({ status: 200, body: context.state.signInExperience }),
  },
  { method: "PATCH", pattern: /^\/api\/sign-in-exp$/, handle: patchSignInExperience },
];
