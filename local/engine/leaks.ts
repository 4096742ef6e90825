/** Finds secret values written in plain text in what the engine produced. */
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { providerPackageDir, providerPackageName } from "../../providers/logto/referencedResource";

export interface TextSource {
  /** Where the text came from: a file path, "engine transcript #12", "pulumi stack export". */
  where: string;
  text: string;
  /** A debug-severity diagnostic event: hidden from the console unless --debug, but part of the event stream. */
  debugDiagnostic?: boolean;
}

/** Secret values by what they are, e.g. {"Entra client secret": [...], "M2M secret": [...]}. */
export type SecretValues = Record<string, Iterable<string>>;

export interface Leak {
  secret: string;
  where: string;
  debugDiagnostic: boolean;
  /** A few characters around the hit with the value itself masked, to find it without repeating it. */
  context: string;
  /** Set when the leak is one a third-party plugin makes that the project cannot prevent: what it is. */
  upstream?: string;
}

/**
 * terraform-provider-azuread dumps every Microsoft Graph request and response with log.Printf("[DEBUG] …")
 * (internal/common/client_options.go, requestLogger/responseLogger), and pulumi-terraform-bridge forwards
 * each line of it to the engine as a debug diagnostic of the resource (pkg/tfbridge/log.go): the
 * addPassword answer, with the new client secret, reaches the engine's event stream in plain text. Only the
 * real azuread plugin does this; our double does not.
 */
function upstreamCause(source: TextSource): string | undefined {
  if (!source.debugDiagnostic) return undefined;
  let event: { diagnosticEvent?: { urn?: string; message?: string } };
  try {
    event = JSON.parse(source.text) as typeof event;
  } catch {
    return undefined;
  }
  // The bridge does not always attach the resource's URN: the answer is recognised by its Graph entity type.
  const message = event.diagnosticEvent?.message ?? "";
  if (/^\{"@odata\.context":"[^"]*\/v1\.0\/\$metadata#microsoft\.graph\.passwordCredential"/.test(message)) {
    return "a Microsoft Graph answer the real azuread plugin writes to its debug log (a debug diagnostic event)";
  }
  return undefined;
}

/**
 * Each source, and where one refers to the installed Logto provider (a Logto resource's state), that
 * package's code: the code the state runs, so a secret captured there counts too.
 */
function withReferencedProviders(sources: readonly TextSource[]): TextSource[] {
  if (!sources.some((source) => source.text.includes(providerPackageName))) return [...sources];
  const dir = providerPackageDir();
  const modules = readdirSync(dir, { recursive: true, encoding: "utf8" })
    .filter((file) => file.endsWith(".js"))
    .map((file) => ({
      where: `${dir}/${file} (the provider the state refers to)`,
      text: readFileSync(path.join(dir, file), "utf8"),
    }));
  return [...sources, ...modules];
}

export function findLeaks(secrets: SecretValues, given: readonly TextSource[]): Leak[] {
  const leaks: Leak[] = [];
  const sources = withReferencedProviders(given);
  for (const [secret, values] of Object.entries(secrets)) {
    for (const value of new Set(values)) {
      if (value.length < 8) throw new Error(`findLeaks: a ${secret} value this short would match by chance`);
      for (const source of sources) {
        const at = source.text.indexOf(value);
        if (at === -1) continue;
        const around = source.text.slice(Math.max(0, at - 60), at + value.length + 60);
        const upstream = upstreamCause(source);
        leaks.push({
          secret,
          where: source.where,
          debugDiagnostic: source.debugDiagnostic === true,
          context: around.split(value).join("<the secret>"),
          ...(upstream ? { upstream } : {}),
        });
      }
    }
  }
  return leaks;
}
