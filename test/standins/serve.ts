/**
 * Runs the Logto and Entra stand-ins as a process of their own, for the local rehearsal (scripts/rehearse.sh):
 * `tsx test/standins/serve.ts --out <file>` writes {logtoEndpoint, m2mAppId, m2mAppSecret, entraIssuerBase} to
 * <file> (mode 600: it holds the stand-in's M2M secret) once both listen on 127.0.0.1, then serves until
 * SIGTERM/SIGINT, or until --max-seconds have passed so a forgotten process stops by itself.
 */
import { writeFileSync } from "node:fs";
import { startEntraIssuerStandIn } from "./entra";
import { startLogtoStandIn } from "./logto";

function argument(name: string): string | undefined {
  const index = process.argv.indexOf(name);
  return index >= 0 ? process.argv[index + 1] : undefined;
}

async function main(): Promise<void> {
  const out = argument("--out");
  if (!out) throw new Error("--out <file> is required: where to write the stand-ins' addresses and credentials");
  const maxSeconds = Number(argument("--max-seconds") ?? "3600");
  if (!Number.isInteger(maxSeconds) || maxSeconds < 1) throw new Error("--max-seconds must be a whole number >= 1");

  const [logto, entra] = await Promise.all([startLogtoStandIn(), startEntraIssuerStandIn()]);
  writeFileSync(
    out,
    JSON.stringify({
      logtoEndpoint: logto.url,
      m2mAppId: logto.m2mAppId,
      m2mAppSecret: logto.m2mAppSecret,
      entraIssuerBase: entra.url,
    }),
    { mode: 0o600 },
  );
  process.stderr.write(`stand-ins: Logto ${logto.url}, Entra issuer ${entra.url}\n`);

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
