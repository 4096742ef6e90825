import { createRequire } from "node:module";

/**
 * @pulumi/pulumi writes every RPC response into its debug log ("RegisterResource RPC finished: …; resp: …"),
 * resource outputs included and secret ones in plain text (the Logto app secret, the Entra client secret): the
 * response is a protobuf message whose toString() joins its field values. Debug lines reach the engine's event
 * stream (Automation API, `--event-log`) and `--debug` consoles, and the engine masks only secret config values
 * there. Still so in 3.276 (runtime/resource.js logs `resp: ${innerResponse}` on every registration): without
 * this guard the engine suite's leak checks fail (test/engine/lifecycle.test.ts steps 6 and 6b). So cut the
 * response out of those lines and keep the rest of the line for debugging.
 */
type DebugLog = (message: string, ...rest: unknown[]) => Promise<void>;
type SdkLog = { debug: DebugLog } & Record<string, unknown>;

const responseLine = / RPC finished: /;
const installed = "__logtoEntraSsoDebugLogRedaction";

/** `sdkLog` defaults to the module instance the SDK's runtime calls through (it looks `log.debug` up per call). */
export function keepSecretsOutOfSdkDebugLog(
  sdkLog: SdkLog = createRequire(__filename)("@pulumi/pulumi/log") as SdkLog,
): void {
  if (sdkLog[installed]) return;
  const debug = sdkLog.debug;
  sdkLog.debug = (message, ...rest) =>
    debug(
      responseLine.test(message) ? message.replace(/resp: [\s\S]*$/, "resp: [not logged: may hold secrets]") : message,
      ...rest,
    );
  sdkLog[installed] = true;
}
