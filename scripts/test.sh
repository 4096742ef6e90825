#!/usr/bin/env bash
# The README's test command (`npm test`): prepares what the tests need (Python venv for the sample app,
# the Pulumi engine at the SDK's version, the azuread/docker/command plugins (real ones when present, else our
# doubles), a Docker engine with the app's base image, Debian's Chromium for the browser sign-in), then
# type-checks and runs every suite: go test (the plugin doubles), vitest (program under mocks, provider,
# stand-in contract, real engine, browser sign-in) and pytest (sample app, its image included). Ends with one
# summary line.
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

results="$(mktemp -d)"
# A Docker engine started for this run is stopped with it, however it ends.
trap 'bash local/docker/docker-engine.sh stop --owner $$ 2>/dev/null || true; rm -rf "$results"' EXIT

python="$(bash scripts/python-venv.sh)"
engine_bin="$(bash local/engine/pulumi-engine.sh)"
plugins_bin="$(bash local/engine/provider-plugins.sh)"
export PATH="$engine_bin:$plugins_bin:$PATH"
# The suites that need Docker get DOCKER_HOST; without an engine they say why (and fail where CI=true).
if docker_host="$(bash local/docker/docker-engine.sh start --owner $$)"; then
  export DOCKER_HOST="$docker_host"
else
  echo "test.sh: no Docker engine could be started (see above)" >&2
fi

# The browser sign-in test drives this Chromium; without one it fails saying how to get it.
if chromium="$(bash local/browser/browser.sh)"; then
  export CHROMIUM="$chromium"
else
  echo "test.sh: no Chromium could be installed (see above)" >&2
fi

npx tsc --noEmit

status=0
(cd local/plugin-doubles && GOWORK=off go test -mod=readonly -count=1 -json ./... >"$results/go-test.json") || status=$?
npx vitest run --reporter=default --reporter=json --outputFile.json="$results/vitest.json" "$@" || status=$?
(cd app && "$python" -m pytest -q -rs --junitxml="$results/pytest.xml") || status=$?
# Now rather than in the trap, so that the summary stays the last line.
bash local/docker/docker-engine.sh stop --owner $$

node -e '
const fs = require("fs");
const [goTestFile, vitestFile, pytestFile] = process.argv.slice(1);
let passed = 0, failed = 0, skipped = 0;
if (fs.existsSync(goTestFile)) {
  const output = new Map(); // test → its output, shown when it fails (go test -json prints nothing itself)
  for (const line of fs.readFileSync(goTestFile, "utf8").split("\n")) {
    if (!line.startsWith("{")) continue;
    const event = JSON.parse(line);
    const key = `${event.Package} ${event.Test ?? "(package)"}`;
    if (event.Action === "output") output.set(key, (output.get(key) ?? "") + event.Output);
    if (event.Action === "fail") process.stderr.write(`go test: FAIL ${key}\n${output.get(key) ?? ""}`);
    if (!event.Test || event.Test.includes("/")) continue; // subtests count with their test
    if (event.Action === "pass") passed++;
    else if (event.Action === "fail") failed++;
    else if (event.Action === "skip") skipped++;
  }
}
if (fs.existsSync(vitestFile)) {
  const v = JSON.parse(fs.readFileSync(vitestFile, "utf8"));
  passed += v.numPassedTests; failed += v.numFailedTests; skipped += v.numPendingTests + v.numTodoTests;
}
if (fs.existsSync(pytestFile)) {
  const x = fs.readFileSync(pytestFile, "utf8");
  const attr = (name) => Number((new RegExp(`<testsuite[^>]*\\b${name}="(\\d+)"`).exec(x) || [])[1] || 0);
  const total = attr("tests"), bad = attr("failures") + attr("errors"), skip = attr("skipped");
  passed += total - bad - skip; failed += bad; skipped += skip;
}
console.log(`total: ${passed} passed, ${failed} failed, ${skipped} skipped`);
' "$results/go-test.json" "$results/vitest.json" "$results/pytest.xml"
exit "$status"
