/** Finds secret values written in plain text in what the engine produced. */

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
}

export function findLeaks(secrets: SecretValues, sources: readonly TextSource[]): Leak[] {
  const leaks: Leak[] = [];
  for (const [secret, values] of Object.entries(secrets)) {
    for (const value of new Set(values)) {
      if (value.length < 8) throw new Error(`findLeaks: a ${secret} value this short would match by chance`);
      for (const source of sources) {
        const at = source.text.indexOf(value);
        if (at === -1) continue;
        const around = source.text.slice(Math.max(0, at - 60), at + value.length + 60);
        leaks.push({
          secret,
          where: source.where,
          debugDiagnostic: source.debugDiagnostic === true,
          context: around.split(value).join("<the secret>"),
        });
      }
    }
  }
  return leaks;
}
