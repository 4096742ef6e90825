#!/usr/bin/env bash
# Local rehearsal of the product's main job, on this machine only: starts the Logto and Entra stand-ins on
# 127.0.0.1, then runs the Logto side of the stack (the real EnterpriseSsoConnection and LogtoWebApp components
# and the sign-in experience switch, test/engine/program) through scripts/ephemeral-stack.sh: a new `test-…`
# stack, `pulumi up`, a clean `preview`, the stack outputs, `pulumi destroy`, `pulumi stack rm`. Nothing is
# left behind: the backend, PULUMI_HOME and the stand-ins live in a temporary directory removed at the end.
# The Entra side (azuread) and the container (docker) need real Azure and a Docker engine, so they are not
# rehearsed here.
set -euo pipefail
repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$repo"

log() { printf 'rehearse: %s\n' "$*" >&2; }

engine_bin=$(bash scripts/pulumi-engine.sh)
export PATH="$engine_bin:$PATH"

work=$(mktemp -d)
standins_pid=""
cleanup() {
  if [[ -n "$standins_pid" ]]; then
    kill "$standins_pid" 2>/dev/null || true
    wait "$standins_pid" 2>/dev/null || true
  fi
  rm -rf "$work"
}
trap cleanup EXIT

random_hex() { node -e 'process.stdout.write(require("crypto").randomBytes(24).toString("hex"))'; }

mkdir -p "$work/backend" "$work/home"
export PULUMI_BACKEND_URL="file://$work/backend" PULUMI_HOME="$work/home"
export PULUMI_CONFIG_PASSPHRASE; PULUMI_CONFIG_PASSPHRASE=$(random_hex)
export PULUMI_SKIP_UPDATE_CHECK=true PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION=true

# The stand-ins stop by themselves after 15 minutes should this script be killed before its cleanup runs.
entra_tenant=00000000-0000-4000-8000-000000000001
node_modules/.bin/tsx test/standins/serve.ts --out "$work/standins.json" --entra-tenant "$entra_tenant" --max-seconds 900 &
standins_pid=$!
for _ in $(seq 1 300); do
  [[ -s "$work/standins.json" ]] && break
  kill -0 "$standins_pid" 2>/dev/null || { log "the stand-ins did not start"; exit 1; }
  sleep 0.1
done
[[ -s "$work/standins.json" ]] || { log "the stand-ins did not start within 30 s"; exit 1; }

# standin a.b.c: that field of the stand-ins' JSON (dot-separated path).
standin() {
  node -e 'let v = require(process.argv[1]); for (const k of process.argv[2].split(".")) v = v?.[k];
    if (v === undefined) { console.error(`stand-ins JSON has no ${process.argv[2]}`); process.exit(1); }
    process.stdout.write(String(v))' "$work/standins.json" "$1"
}
logto_endpoint=$(standin logtoEndpoint)
entra_issuer=$(standin "entra.tenants.$entra_tenant.issuer")
export REHEARSAL_M2M_SECRET REHEARSAL_ENTRA_SECRET
REHEARSAL_M2M_SECRET=$(standin m2mAppSecret)
REHEARSAL_ENTRA_SECRET=$(random_hex)

cat >"$work/stack.yaml" <<YAML
config:
  logto:endpoint: $logto_endpoint
  logto:m2mAppId: $(standin m2mAppId)
  logto-engine-test:connectorName: rehearsal-contoso
  logto-engine-test:domains:
    - contoso.example
  logto-engine-test:entraClientId: 00000000-0000-4000-8000-00000000c1d0
  logto-engine-test:entraIssuer: $entra_issuer
  logto-engine-test:appName: Rehearsal sample app
  logto-engine-test:appBaseUrl: http://localhost:8080
YAML

log "Logto stand-in at $logto_endpoint, Entra issuer stand-in at $entra_issuer"
bash scripts/ephemeral-stack.sh \
  --config "$work/stack.yaml" \
  --cwd test/engine/program \
  --secret-env logto:m2mAppSecret=REHEARSAL_M2M_SECRET \
  --secret-env logto-engine-test:entraClientSecret=REHEARSAL_ENTRA_SECRET \
  --check 'pulumi stack output --stack "$EPHEMERAL_STACK"'
log "done: created, converged, destroyed and removed a stack against the local stand-ins"
