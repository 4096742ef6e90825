/**
 * Which Microsoft cloud the customer tenants live in: the login endpoint the Logto connectors' issuers and the
 * admin-consent links are built from, and what the azuread providers are told (`environment`, or
 * `metadataHost` for a cloud that is described by a metadata endpoint: Azure Stack, or a local stand-in).
 */
import { urlProblems } from "../providers/logto/validation";
import { Problems, configKey, readChoice, readObject, readString, setHint } from "./configReaders";

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

export const entraKeys = ["environment", "loginEndpoint", "metadataHost"] as const;

/** `host` or `host:port`, as the azuread provider's metadata_host takes it (it adds https:// itself). */
const metadataHostPattern =
  /^(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*(?::\d{1,5})?$/;

export function readEntraCloud(value: unknown, problems: Problems): EntraCloud {
  const field = configKey("entra");
  const fields = readObject(value, field, problems, entraKeys) ?? {};
  const metadataHost = readString(
    fields.metadataHost,
    `${field}.metadataHost`,
    problems,
    "give a host name, with a port if needed, e.g. management.local.azurestack.external.",
  );
  if (metadataHost !== undefined && !metadataHostPattern.test(metadataHost)) {
    problems.add(
      `${field}.metadataHost`,
      metadataHost,
      "give only the host (and port) of the metadata endpoint, without https:// or a path, e.g. 127.0.0.1:8443.",
    );
  }
  if (metadataHost !== undefined && fields.environment !== undefined) {
    problems.add(
      `${field}.environment`,
      fields.environment,
      "remove it: the azuread provider ignores the cloud name when entra.metadataHost is set.",
    );
  }
  const environment = readChoice(fields.environment, `${field}.environment`, environmentNames, "global", problems);

  const loginEndpoint = readString(
    fields.loginEndpoint,
    `${field}.loginEndpoint`,
    problems,
    "give the origin of the Entra login endpoint, e.g. https://login.microsoftonline.com.",
  );
  if (loginEndpoint !== undefined) {
    const issues = urlProblems(`${field}.loginEndpoint`, loginEndpoint, {
      allowPath: false,
      allowTrailingSlash: false,
    });
    problems.addAll(issues);
    if (issues.length === 0 && !loginEndpoint.startsWith("https://")) {
      problems.add(
        `${field}.loginEndpoint`,
        loginEndpoint,
        "Entra's login endpoint is served over https: use an https:// origin.",
      );
    }
  } else if (metadataHost !== undefined) {
    problems.add(
      `${field}.loginEndpoint`,
      undefined,
      `it is required with entra.metadataHost: the issuers of the Logto connectors are built from it when the program runs (${setHint(`${field}.loginEndpoint`, "https://<login host>")}).`,
    );
  }
  return {
    loginEndpoint: loginEndpoint ?? entraEnvironments[environment],
    provider: metadataHost !== undefined ? { metadataHost } : { environment },
  };
}
