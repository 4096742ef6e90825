/**
 * A post-deploy HTTP check run by `@pulumi/command` with `node -e`: node is on every machine that runs
 * this program, curl is not. It polls the URL until it answers 200 (with the expected text, if any) or
 * the time is up, then exits 1 with the last failure.
 */
import * as pulumi from "@pulumi/pulumi";

/** JavaScript for `node -e`; reads CHECK_URL, CHECK_EXPECT (optional) and CHECK_TIMEOUT_SECONDS. */
export const httpCheckScript = `
const url = process.env.CHECK_URL;
const expect = process.env.CHECK_EXPECT || "";
const deadline = Date.now() + Number(process.env.CHECK_TIMEOUT_SECONDS || "60") * 1000;
(async () => {
  let last = "no attempt";
  for (;;) {
    try {
      const response = await fetch(url, { redirect: "manual", signal: AbortSignal.timeout(5000) });
      const body = await response.text();
      if (response.status === 200 && body.includes(expect)) {
        console.log("OK " + url + " answered 200");
        return;
      }
      last = response.status === 200 ? "200 without " + JSON.stringify(expect) : "HTTP " + response.status;
    } catch (error) {
      // fetch reports "fetch failed"; the reason (ECONNREFUSED, a timeout...) is in its cause.
      last = (error.cause && (error.cause.code || error.cause.message)) || error.message;
    }
    if (Date.now() >= deadline) break;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  console.error("FAILED " + url + " did not answer 200 in time (last: " + last + ")");
  process.exit(1);
})();
`.trim();

/**
 * The `create`, `interpreter` and `environment` of a `command.local.Command` that runs the check. The script
 * travels in the environment and `create` only evaluates it: the command provider quotes `create` in every
 * failure message, which should then read as the check's own one-line verdict, not as the whole script.
 */
export function httpCheckCommand<Url extends pulumi.Input<string>>(
  url: Url,
  options: { expect?: string; timeoutSeconds: number },
) {
  return {
    create: "eval(process.env.CHECK_SCRIPT)",
    interpreter: ["node", "-e"],
    environment: {
      CHECK_SCRIPT: httpCheckScript,
      CHECK_URL: url,
      CHECK_EXPECT: options.expect ?? "",
      CHECK_TIMEOUT_SECONDS: String(options.timeoutSeconds),
    },
  };
}
