/**
 * Runs the Logto and Entra stand-ins as a process of their own, for the local rehearsal (scripts/rehearse.sh):
 *
 *   tsx test/standins/serve.ts --out <file> [--entra-tenant <id>]... [--max-seconds <n>]
 *
 * Once both listen on 127.0.0.1 it writes to <file> (mode 600: it holds secrets) what a local stack needs:
 * {logtoEndpoint, m2mAppId, m2mAppSecret, entra: {url, metadataHost, caFile, tenants: {<id>: {issuer,
 * clientId, clientSecret, objectId}}}} — the deployer identity per Entra tenant (default: one fixed tenant).
 * The Logto stand-in trusts the Entra stand-in's CA for issuer discovery. It serves until SIGTERM/SIGINT, or
 * until --max-seconds have passed so a forgotten process stops by itself.
 */
import { writeFileSync } from "node:fs";
import { defaultEntraTenantId, startEntraStandIn } from "./entra";
import { startLogtoStandIn } from "./logto";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

function repeatedArgument(name: string): string[] {
  return process.argv.flatMap((value, index) => (value === name && index + 1 < process.argv.length ? [process.argv[index + 1]] : []));
}

async function main(): Promise<void> {
  const out = argument("--out");
  if (!out) throw new Error("--out <file> is required: where to write the stand-ins' addresses and credentials");
  const maxSeconds = Number(argument("--max-seconds") ?? "3600");
  if (!Number.isInteger(maxSeconds) || maxSeconds < 1) throw new Error("--max-seconds must be a whole number >= 1");
  const entraTenants = repeatedArgument("--entra-tenant");

  const entra = await startEntraStandIn({ tenants: entraTenants.length > 0 ? entraTenants : [defaultEntraTenantId] });
  const logto = await startLogtoStandIn({ trustedCaPem: entra.caPem });
  const tenants = Object.fromEntries(
    entra.tenantIds.map((tenantId) => {
      const { clientId, clientSecret, objectId } = entra.deployer(tenantId);
      return [tenantId, { issuer: entra.issuerFor(tenantId), clientId, clientSecret, objectId }];
    }),
  );
  writeFileSync(
    out,
    JSON.stringify({
      logtoEndpoint: logto.url,
      m2mAppId: logto.m2mAppId,
      m2mAppSecret: logto.m2mAppSecret,
      entra: { url: entra.url, metadataHost: entra.metadataHost, caFile: entra.caFile, tenants },
    }),
    { mode: 0o600 },
  );
  process.stderr.write(`stand-ins: Logto ${logto.url}, Entra ${entra.url} (tenants ${entra.tenantIds.join(", ")})\n`);

  const stop = async () => {
    clearTimeout(deadline);
    await Promise.all([logto.close(), entra.close()]);
    process.exit(0);
  };
  const deadline = setTimeout(stop, maxSeconds * 1000);
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`stand-ins: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
