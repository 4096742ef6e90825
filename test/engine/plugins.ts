/**
 * The provider plugins the program needs (azuread, docker, command at the versions in package-lock.json):
 * scripts/provider-plugins.sh prints a bin directory holding the real plugins where they are installed, and
 * our plugin doubles (test/plugin-doubles/) where they are not. Built once per machine, then cached.
 */
import { execFile } from "node:child_process";
import path from "node:path";
import { promisify } from "node:util";
import { repoRoot } from "./engine";

const run = promisify(execFile);
export interface PluginsOnPath {
  bin: string;
  /** The plugins that are the real ones (the others are our doubles). */
  real: string[];
}

let plugins: Promise<PluginsOnPath> | undefined;

/** Puts the plugins' bin directory first on this process's PATH (which engine sandboxes hand on); returns it. */
export function ensurePluginsOnPath(): Promise<PluginsOnPath> {
  plugins ??= run("bash", [path.join(repoRoot, "scripts/provider-plugins.sh")], { maxBuffer: 16 * 1024 * 1024 }).then(
    ({ stdout, stderr }) => {
      process.stderr.write(stderr);
      const bin = stdout.trim();
      const entries = (process.env.PATH ?? "").split(path.delimiter).filter((entry) => entry !== bin);
      process.env.PATH = [bin, ...entries].join(path.delimiter);
      const real = [...stderr.matchAll(/using REAL (\w+)/g)].map((match) => match[1]);
      return { bin, real };
    },
    (error: Error & { stderr?: string }) => {
      throw new Error(`scripts/provider-plugins.sh failed: ${error.stderr ?? error.message}`);
    },
  );
  return plugins;
}
