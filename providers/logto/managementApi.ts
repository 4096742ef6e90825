/**
 * The Management API's request and answer shapes, from Logto's OpenAPI document as `@logto/api` publishes it
 * (generated-types/management.d.ts, made by openapi-typescript): a field Logto renames or drops fails `tsc`.
 * Types only: nothing of the package is loaded at run time. Imported by file, as its `exports` map offers only
 * `./management` (an ES module whose `paths` is not re-exported).
 */
import type { paths } from "@logto/api/lib/generated-types/management";

export type HttpMethod = "GET" | "POST" | "PUT" | "PATCH" | "DELETE";
export type ApiPath = keyof paths;

type Operation<P extends ApiPath, M extends HttpMethod> = NonNullable<paths[P][Lowercase<M>]>;
type Json<T> = T extends { content: { "application/json": infer Body } } ? Body : never;

/**
 * The document turns Logto's `z.string().refine(…).array()` into a list of objects, so the URI lists of
 * `oidcClientMetadata` read `{ [key]: unknown }[]`; Logto's own type says string[]
 * (packages/schemas/src/foundations/jsonb-types/oidc-module.ts, OidcClientMetadata), and so does the wire.
 */
type UriLists<Metadata> = Metadata extends object
  ? Omit<Metadata, "redirectUris" | "postLogoutRedirectUris"> & {
      redirectUris: string[];
      postLogoutRedirectUris: string[];
    }
  : Metadata;
type Row<T> = { [K in keyof T]: K extends "oidcClientMetadata" ? UriLists<T[K]> : T[K] };
type Corrected<T> = T extends readonly (infer Item)[] ? Row<Item>[] : T extends object ? Row<T> : T;

/** The JSON Logto answers `M P` with on success (no body: undefined). */
export type Answer<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { responses: infer Responses }
    ? | Corrected<Json<Responses[Extract<keyof Responses, 200 | 201>]>>
      | ([Extract<keyof Responses, 204>] extends [never] ? never : undefined)
    : never;

/** The JSON body `M P` takes. */
export type RequestBody<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { requestBody?: infer Body } ? Corrected<Json<NonNullable<Body>>> : never;

/** The `{name}` parts of the route `P`. */
export type PathParams<P extends ApiPath, M extends HttpMethod> =
  Operation<P, M> extends { parameters: { path: infer Params } } ? Params : never;
