/**
 * Azure's cloud metadata (`GET /metadata/endpoints?api-version=2022-09-01`), which the azuread provider reads
 * from `https://<metadata_host>` (go-azure-sdk sdk/internal/metadata/client.go, environments/from_endpoint.go).
 * It needs `name`, `resourceManager`, `microsoftGraphResourceId` (Graph's endpoint and token audience, its
 * trailing `/` trimmed) and `authentication.loginEndpoint`; all point at this stand-in.
 */
import type { Reply } from "../shared/exchange";

export const metadataApiVersion = "2022-09-01";

export function metadataEndpoints(origin: string, apiVersion: string | null): Reply {
  if (apiVersion !== metadataApiVersion) {
    return {
      status: 400,
      body: {
        error: {
          code: "InvalidApiVersionParameter",
          message: `The api-version '${apiVersion ?? ""}' is invalid. The supported versions are '${metadataApiVersion}'.`,
        },
      },
    };
  }
  return {
    status: 200,
    body: {
      name: "EntraStandIn",
      portal: `${origin}/portal`,
      authentication: {
        loginEndpoint: origin,
        audiences: [`${origin}/arm`],
        tenant: "common",
        identityProvider: "AAD",
      },
      resourceManager: `${origin}/arm/`,
      microsoftGraphResourceId: `${origin}/`,
      graph: `${origin}/`,
      suffixes: {},
    },
  };
}
