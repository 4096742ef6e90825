/**
 * Declaring a Logto resource in the program: what it costs the program per input. The SDK keeps a stack trace
 * per promise of each input only for its report of leaked promises; under Pulumi's ts-node each one is mapped
 * through the source maps, which made a program of 200 connections take 3.3 s more CPU (bench/README.md).
 */
import * as pulumi from "@pulumi/pulumi";
import { beforeAll, describe, expect, it } from "vitest";
import { SsoConnector } from "../../providers/logto/ssoConnector/resource";

const declared: { name: string; inputs: Record<string, unknown> }[] = [];

beforeAll(async () => {
  await pulumi.runtime.setMocks(
    {
      newResource(args) {
        declared.push({ name: args.name, inputs: args.inputs });
        return { id: `${args.name}-id`, state: args.inputs };
      },
      call: () => ({}),
    },
    "logto-entra-sso",
    "dev",
    true,
  );
});

// Kept as a descriptor, so the function the runner installed is put back as it was (not a bound copy).
const installedFormatter = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
const formatStack = installedFormatter?.value as ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined;

/** Stack traces formatted with at least one frame while `declare` runs. */
function stackTracesDuring(declare: () => void): number {
  let traces = 0;
  Error.prepareStackTrace = (error, frames): unknown => {
    if (frames.length > 0) traces++;
    if (formatStack) return formatStack(error, frames);
    const at = frames.map((frame) => `    at ${frame.getFileName() ?? "?"}:${frame.getLineNumber() ?? 0}`);
    return [String(error), ...at].join("\n");
  };
  try {
    declare();
  } finally {
    if (installedFormatter) Object.defineProperty(Error, "prepareStackTrace", installedFormatter);
    else Reflect.deleteProperty(Error, "prepareStackTrace");
  }
  return traces;
}

function declareConnector(name: string): SsoConnector {
  return new SsoConnector(name, {
    providerName: "AzureAdOidc",
    connectorName: name,
    config: { clientId: "client", clientSecret: "secret", issuer: "https://login.example/tenant/v2.0" },
    domains: [`${name}.example`],
    branding: {},
    syncProfile: false,
    enableTokenStorage: false,
  });
}

describe("a Logto resource declared in the program", () => {
  it("formats one stack trace (its source position), not four per input", () => {
    const limit = Error.stackTraceLimit;
    expect(stackTracesDuring(() => declareConnector("contoso"))).toBe(1);
    expect(Error.stackTraceLimit).toBe(limit);
  });

  it("is registered with its inputs and the provider reference", async () => {
    const connector = declareConnector("fabrikam");
    await new Promise<string>((resolve) => connector.id.apply(resolve));
    const [registered] = declared.filter((resource) => resource.name === "fabrikam");
    expect(registered.inputs).toMatchObject({ connectorName: "fabrikam", domains: ["fabrikam.example"] });
    expect(registered.inputs.__provider).toMatch(/^exports\.handler = function \(\) \{ return require\(/);
  });
});
