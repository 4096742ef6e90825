/** The benchmark's judge: counts calls from a stand-in log and flags each one over its floor. */
import { describe, expect, it } from "vitest";
import { countCalls, graphFloorViolations, logtoFloorViolations, type LogtoObjects } from "../../bench/counts";
import { graphShape } from "../../bench/shape";
import type { RecordedExchange } from "../../local/standins/shared/exchange";

let sequence = 0;
function request(method: string, path: string, receivedAt: number, answeredAt: number): RecordedExchange {
  sequence += 1;
  return { method, path, query: {}, body: undefined, status: 200, sequence, receivedAt, answeredAt };
}

const objects: LogtoObjects = { addressable: 3, applications: 1, secrets: 1, switches: 1 };

describe("bench counts", () => {
  it("sorts tokens, reads and writes, and finds the most requests in flight", () => {
    const log = [
      request("POST", "/oidc/token", 0, 5),
      request("GET", "/api/sso-connectors", 5, 20),
      request("DELETE", "/api/sso-connectors/a", 10, 30),
      request("DELETE", "/api/sso-connectors/b", 12, 31),
      // Arrives the moment the first DELETE is answered: not concurrent with it.
      request("PATCH", "/api/sign-in-exp", 30, 40),
      request("POST", "/00000000-0000-4000-8000-000000000001/oauth2/v2.0/token", 50, 51),
    ];
    expect(countCalls(log, log[0].sequence - 1)).toEqual({
      token: 2,
      get: 1,
      post: 0,
      patch: 1,
      delete: 2,
      maxInFlight: 3,
    });
    expect(countCalls(log, log[2].sequence).delete).toBe(1);
  });

  it("passes a run at the floor and names each count over it", () => {
    const atFloor = { token: 1, get: 5, post: 0, patch: 0, delete: 0, maxInFlight: 4 };
    expect(logtoFloorViolations("refresh", atFloor, objects)).toEqual([]);
    expect(logtoFloorViolations("refresh", { ...atFloor, get: 6, token: 2 }, objects)).toEqual([
      "refresh: 2 Logto tokens, floor 1",
      "refresh: 6 Logto GETs, floor 5",
    ]);
    expect(logtoFloorViolations("preview", { ...atFloor, get: 0, token: 1 }, objects)).toEqual([
      "preview: 1 Logto requests, floor 0",
    ]);
    expect(logtoFloorViolations("up (no-op)", { ...atFloor, get: 0, patch: 1 }, objects)).toEqual([
      "up (no-op): 1 Logto writes, floor 0",
    ]);
    expect(logtoFloorViolations("up", { ...atFloor, get: 2, post: 5, patch: 1, delete: 1 }, objects)).toEqual([
      "up: 5 Logto POSTs, floor 4",
    ]);
    // A connector list fetched again in a long up (N = 200: 6 GETs where 4 do).
    expect(logtoFloorViolations("up", { ...atFloor, get: 5, post: 4, patch: 1, delete: 1 }, objects)).toEqual([
      "up: 5 Logto GETs, floor 4",
    ]);
    expect(logtoFloorViolations("destroy", { ...atFloor, get: 2, delete: 5, patch: 1 }, objects)).toEqual([
      "destroy: 5 Logto DELETEs, floor 4",
    ]);
    // A destroy reads each secret before deleting it and the switch twice; a connector list per delete is over.
    expect(logtoFloorViolations("destroy", { ...atFloor, get: 3, delete: 4, patch: 1 }, objects)).toEqual([]);
    expect(logtoFloorViolations("destroy", { ...atFloor, get: 6, delete: 4, patch: 1 }, objects)).toEqual([
      "destroy: 6 Logto GETs, floor 3",
    ]);
    expect(graphFloorViolations("refresh", { ...atFloor, token: 3, patch: 1 }, 2)).toEqual([
      "refresh: 3 Entra tokens for 2 tenants",
      "refresh: 1 Graph writes, floor 0",
    ]);
  });

  it("reads the graph the baseline re-creates: no stack, no providers, parents and dependencies kept", () => {
    const stack = "urn:pulumi:s::p::pulumi:pulumi:Stack::p-s";
    const provider = "urn:pulumi:s::p::pulumi:providers:azuread::t01-azuread";
    const component = "urn:pulumi:s::p::logto-entra-sso:entra:EntraOidcApp::t01-entra";
    const app =
      "urn:pulumi:s::p::logto-entra-sso:entra:EntraOidcApp$azuread:index:ApplicationRegistration::t01-entra-registration";
    const secret =
      "urn:pulumi:s::p::logto-entra-sso:entra:EntraOidcApp$azuread:index:ApplicationPassword::t01-entra-secret";
    const shape = graphShape([
      { urn: stack, type: "pulumi:pulumi:Stack" },
      { urn: provider, type: "pulumi:providers:azuread", custom: true, parent: stack },
      { urn: component, type: "logto-entra-sso:entra:EntraOidcApp", parent: stack },
      {
        urn: app,
        type: "azuread:index:ApplicationRegistration",
        custom: true,
        parent: component,
        dependencies: [provider],
      },
      { urn: secret, type: "azuread:index:ApplicationPassword", custom: true, parent: component, dependencies: [app] },
    ]);
    expect(shape.nodes).toEqual([
      { key: component, type: "logto-entra-sso:entra:EntraOidcApp", name: "t01-entra", custom: false, dependsOn: [] },
      {
        key: app,
        type: "azuread:index:ApplicationRegistration",
        name: "t01-entra-registration",
        custom: true,
        parent: component,
        dependsOn: [],
      },
      {
        key: secret,
        type: "azuread:index:ApplicationPassword",
        name: "t01-entra-secret",
        custom: true,
        parent: component,
        dependsOn: [app],
      },
    ]);
  });
});
