/**
 * The provider plugins the program needs (azuread, docker, command at the versions in package-lock.json):
 * local/engine/provider-plugins.sh prints a bin directory holding the real plugins where they are installed, and
 * our plugin doubles (local/plugin-doubles/) where they are not. Built once per machine, then cached.
 */
import { putScriptBinOnPath } from "./engine";

export interface PluginsOnPath {
  bin: string;
  /** The plugins that are the real ones (the others are our doubles). */
  real: string[];
}

let plugins: Promise<PluginsOnPath> | undefined;

/** Puts the plugins' bin directory first on this process's PATH (which engine sandboxes hand on). */
export function ensurePluginsOnPath(): Promise<PluginsOnPath> {
  plugins ??= putScriptBinOnPath("local/engine/provider-plugins.sh").then(({ bin, log }) => {
    process.stderr.write(log);
    // provider-plugins.sh says "using REAL <name> <version> from …" or "using DOUBLE <name> …" per plugin.
    return { bin, real: [...log.matchAll(/using REAL (\w+) /g)].map((match) => match[1]) };
  });
  return plugins;
}
