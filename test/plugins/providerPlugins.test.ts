/**
 * local/engine/provider-plugins.sh: the real plugin whenever one is found (REAL_PLUGINS_DIR, PULUMI_HOME's plugin
 * cache, or PATH at the right version), the double otherwise, and the switches that force either.
 */
import { execFile } from "node:child_process";
import { copyFile, mkdir, mkdtemp, readlink, rm, symlink, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { repoRoot } from "../../local/engine/engine";
import { ensurePluginsOnPath } from "../../local/engine/plugins";

const run = promisify(execFile);
const script = path.join(repoRoot, "local/engine/provider-plugins.sh");
let doublesBin: string;
let scratch: string;
/** A cache of its own for the runs that publish a mix (its symlink directories), holding the built doubles. */
let mixCache: string;

async function choose(env: Record<string, string>): Promise<{ bin: string; log: string }> {
  const { stdout, stderr } = await run("bash", [script], {
    env: { ...process.env, PLUGIN_DOUBLES: "", REAL_PLUGINS_DIR: "", ...env },
  });
  return { bin: stdout.trim(), log: stderr };
}

beforeAll(async () => {
  process.env.PLUGIN_DOUBLES = "force";
  doublesBin = (await ensurePluginsOnPath()).bin;
  delete process.env.PLUGIN_DOUBLES;
  scratch = await mkdtemp(path.join(os.tmpdir(), "provider-plugins-"));
  mixCache = path.join(scratch, "cache");
  await mkdir(mixCache);
  const build = path.dirname(doublesBin);
  await symlink(build, path.join(mixCache, path.basename(build)));
}, 300_000);

afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

describe("local/engine/provider-plugins.sh", () => {
  it("takes a real plugin from REAL_PLUGINS_DIR and the doubles for the others", async () => {
    const realDir = path.join(scratch, "real", "resource-command-v1.2.1");
    await mkdir(realDir, { recursive: true });
    await writeFile(path.join(realDir, "pulumi-resource-command"), "#!/bin/sh\n", { mode: 0o755 });
    const { bin, log } = await choose({
      REAL_PLUGINS_DIR: path.join(scratch, "real"),
      PULUMI_HOME: path.join(scratch, "home"),
      PLUGIN_DOUBLES_CACHE: mixCache,
    });
    expect(bin.startsWith(mixCache)).toBe(true);
    expect(await readlink(path.join(bin, "pulumi-resource-command"))).toBe(
      path.join(realDir, "pulumi-resource-command"),
    );
    expect(await readlink(path.join(bin, "pulumi-resource-azuread"))).toMatch(/\/bin\/pulumi-resource-azuread$/);
    expect(log).toContain(`using REAL command 1.2.1 from ${path.join(realDir, "pulumi-resource-command")}`);
    expect(log).toContain("using DOUBLE azuread 6.9.1");
  });

  it("takes one on PATH only when it announces the version the SDK needs", async () => {
    const onPath = path.join(scratch, "path");
    await mkdir(onPath, { recursive: true });
    // A copy of the docker double stands in for a real plugin: it answers GetPluginInfo with 5.2.0.
    await copyFile(path.join(doublesBin, "pulumi-resource-docker"), path.join(onPath, "pulumi-resource-docker"));
    const { bin, log } = await choose({
      PATH: `${onPath}:${process.env.PATH}`,
      PULUMI_HOME: path.join(scratch, "home"),
      PLUGIN_DOUBLES_CACHE: mixCache,
    });
    expect(await readlink(path.join(bin, "pulumi-resource-docker"))).toBe(path.join(onPath, "pulumi-resource-docker"));
    expect(log).toContain("using REAL docker 5.2.0");
  });

  it("never takes its own doubles on PATH for real ones", async () => {
    const { bin, log } = await choose({
      PATH: `${doublesBin}:${process.env.PATH}`,
      PULUMI_HOME: path.join(scratch, "home"),
    });
    expect(bin).toBe(doublesBin);
    expect(log).not.toContain("using REAL");
  });

  it("PLUGIN_DOUBLES=force uses the doubles even with real plugins around", async () => {
    const { bin } = await choose({ PLUGIN_DOUBLES: "force", REAL_PLUGINS_DIR: path.join(scratch, "real") });
    expect(bin).toBe(doublesBin);
  });

  it("PLUGIN_DOUBLES=never fails without the real plugins, saying where to put them", async () => {
    const failure = await choose({ PLUGIN_DOUBLES: "never", PULUMI_HOME: path.join(scratch, "home") }).catch(
      (error: Error & { stderr: string }) => error,
    );
    expect(failure).toBeInstanceOf(Error);
    expect((failure as Error & { stderr: string }).stderr).toContain(
      "no real pulumi-resource-azuread 6.9.1 found (PLUGIN_DOUBLES=never)",
    );
  });
});
