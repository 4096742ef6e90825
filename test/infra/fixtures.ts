/** Stack configurations for the tests, as a person would write them in Pulumi.<stack>.yaml. */
import type { RawStackConfig } from "../../infra/config";
import { logtoEndpointValue } from "./harness";

export const tenantIds: { [name: string]: string } = {
  contoso: "11111111-1111-4111-8111-111111111111",
  fabrikam: "22222222-2222-4222-8222-222222222222",
  northwind: "33333333-3333-4333-8333-333333333333",
};

/** 2025-08-15 is in rotation period 1 of 180 days counted from the default epoch 2025-01-01. */
export const now = new Date("2025-08-15T10:00:00Z");

export const secretKeyMarker = "flask-secret-key-marker-0123456789abcdef";
export const m2mSecretMarker = "m2m-secret-marker-5f1d2c";

export type ConnectionInput = { [key: string]: unknown };

export function connection(name: string, overrides: ConnectionInput = {}): ConnectionInput {
  return {
    name,
    tenantId: tenantIds[name],
    domains: [`${name}.com`],
    extraScopes: ["User.Read"],
    ...overrides,
  };
}

export function rawConfig(overrides: RawStackConfig = {}): RawStackConfig {
  return {
    logtoEndpoint: logtoEndpointValue,
    connections: [connection("contoso")],
    sampleApp: { secretKey: secretKeyMarker },
    ...overrides,
  };
}
