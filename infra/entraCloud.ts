/**
 * Which Microsoft cloud the customer tenants live in: the login endpoint the Logto connectors' issuers and the
 * admin-consent links are built from, and what the azuread providers are told (`environment`, or
 * `metadataHost` for a cloud that is described by a metadata endpoint: Azure Stack, or a local stand-in).
 */
import { z } from "zod";
import { urlProblems } from "../providers/logto/validation";
import { choice, fieldToken, lines, problem, setHint, settings, structured, text } from "./configSchema";

/** The azuread provider's cloud names and their login endpoints (Microsoft's national cloud list). */
export const entraEnvironments = {
  global: "https://login.microsoftonline.com",
  usgovernment: "https://login.microsoftonline.us",
  dod: "https://login.microsoftonline.us",
  china: "https://login.chinacloudapi.cn",
} as const;
export type EntraEnvironment = keyof typeof entraEnvironments;
const environmentNames = Object.keys(entraEnvironments) as EntraEnvironment[];

export interface EntraCloud {
  /** Origin of the Entra login endpoint, no trailing slash: issuers are `{loginEndpoint}/{tenant}/v2.0`. */
  loginEndpoint: string;
  /** What the azuread provider gets: a named cloud, or a metadata host (never both). */
  provider: { environment: EntraEnvironment } | { metadataHost: string };
}

/** `host` or `host:port`, as the azuread provider's metadata_host takes it (it adds https:// itself). */
const metadataHostPattern =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

const metadataHost = text(
  "give a host name, with a port if needed, e.g. management.local.azurestack.external.",
  (host, ctx) => {
    if (metadataHostPattern.test(host)) return host;
    problem(
      ctx,
      host,
      "give only the host (and port) of the metadata endpoint, without https:// or a path, e.g. 127.0.0.1:8443.",
    );
    return host;
  },
);

const loginEndpoint = text(
  "give the origin of the Entra login endpoint, e.g. https://login.microsoftonline.com.",
  (endpoint, ctx) => {
    const issues = urlProblems(fieldToken, endpoint, { allowPath: false, allowTrailingSlash: false });
    lines(ctx, issues);
    if (issues.length === 0 && !endpoint.startsWith("https://")) {
      problem(ctx, endpoint, "Entra's login endpoint is served over https: use an https:// origin.");
    }
    return endpoint;
  },
);

const entraShape = { environment: choice(environmentNames, undefined), loginEndpoint, metadataHost };
export const entraKeys = Object.keys(entraShape);

/** `entra`: which cloud, or which metadata host and login endpoint. */
export const entraSchema = structured(
  settings(entraShape, (entra, ctx) => {
    if (entra.metadataHost === undefined) return;
    if (entra.environment !== undefined) {
      problem(
        ctx,
        entra.environment,
        "remove it: the azuread provider ignores the cloud name when entra.metadataHost is set.",
        ["environment"],
      );
    }
    if (entra.loginEndpoint === undefined) {
      problem(
        ctx,
        undefined,
        `it is required with entra.metadataHost: the issuers of the Logto connectors are built from it when the program runs (${setHint("https://<login host>")}).`,
        ["loginEndpoint"],
      );
    }
  }),
);

export function entraCloud(entra: z.output<typeof entraSchema>): EntraCloud {
  const environment = entra.environment ?? "global";
  return {
    loginEndpoint: entra.loginEndpoint ?? entraEnvironments[environment],
    provider: entra.metadataHost !== undefined ? { metadataHost: entra.metadataHost } : { environment },
  };
}
