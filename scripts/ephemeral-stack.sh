#!/usr/bin/env bash
# Ephemeral test stack: creates a uniquely named `test-<UTC time>-<random>` stack from a stack config file, runs
# `pulumi up`, the smoke check, then `pulumi destroy` and `pulumi stack rm`. Teardown runs whatever happened
# before it (a failed step, Ctrl-C); a stack whose destroy fails is kept, with the command to finish it, so that
# nothing it made is forgotten. Meant for CI against real tenants as much as for local runs.
#
# Usage: scripts/ephemeral-stack.sh --config <file> [options]      (npm run stack:ephemeral -- --config <file>)
#   --config <file>        stack settings YAML (like Pulumi.dev.yaml) used as the new stack's Pulumi.<stack>.yaml.
#                          `secure:` values in it must be readable by the new stack: a passphrase stack with the
#                          file's `encryptionsalt` and the same PULUMI_CONFIG_PASSPHRASE. Otherwise leave them out
#                          and pass them with --secret-env.
#   --secret-env KEY=VAR   sets config KEY as a secret from environment variable VAR (read through stdin, never
#                          on a command line); repeatable. KEY is a path: logto-entra-sso:sampleApp.secretKey sets
#                          one field of an object. Example: --secret-env logto:m2mAppSecret=LOGTO_M2M_SECRET
#   --cwd <dir>            the Pulumi project directory (default: the repository root).
#   --check <command>      an extra smoke check, run with bash after the built-in one; it gets EPHEMERAL_STACK
#                          (use `pulumi stack output --stack "$EPHEMERAL_STACK"`) and runs in the project dir.
#   --secrets-provider <p> passed to `pulumi stack init` (default: the backend's default, e.g. passphrase).
# Smoke check: `pulumi preview --expect-no-changes` right after `up` (a converged stack plans nothing; the
# program's own post-deploy HTTP checks already ran inside `up`), then --check if given.
# The backend is whatever pulumi uses here (PULUMI_BACKEND_URL, `pulumi login`). Without a pulumi on PATH the
# repository's engine (local/engine/pulumi-engine.sh) is used. Exit status: the first failing step's, else 0.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

log() { printf 'ephemeral-stack: %s\n' "$*" >&2; }
usage_error() {
  log "error: $*"
  log "usage: scripts/ephemeral-stack.sh --config <file> [--secret-env KEY=VAR]... [--cwd <dir>] [--check <command>] [--secrets-provider <p>]"
  exit 2
}

config_file=""
project_dir="$repo"
check_command=""
secrets_provider=""
secret_envs=()
while (($# > 0)); do
  case "$1" in
    --config | --cwd | --check | --secret-env | --secrets-provider)
      (($# >= 2)) || usage_error "$1 needs a value"
      case "$1" in
        --config) config_file=$2 ;;
        --cwd) project_dir=$2 ;;
        --check) check_command=$2 ;;
        --secret-env) secret_envs+=("$2") ;;
        --secrets-provider) secrets_provider=$2 ;;
      esac
      shift 2
      ;;
    *) usage_error "unknown argument '$1'" ;;
  esac
done

[[ -n "$config_file" ]] || usage_error "--config <file> is required: the stack settings YAML to create the stack from"
[[ -f "$config_file" ]] || usage_error "--config $config_file: no such file"
[[ -f "$project_dir/Pulumi.yaml" ]] || usage_error "--cwd $project_dir: no Pulumi.yaml there (give the Pulumi project directory)"
config_file=$(cd "$(dirname "$config_file")" && pwd)/$(basename "$config_file")
for pair in ${secret_envs[@]+"${secret_envs[@]}"}; do
  [[ "$pair" =~ ^[^=]+=[A-Za-z_][A-Za-z0-9_]*$ ]] ||
    usage_error "--secret-env '$pair': use KEY=VARIABLE, e.g. logto:m2mAppSecret=LOGTO_M2M_SECRET"
  variable=${pair#*=}
  [[ -n "${!variable:-}" ]] || usage_error "--secret-env $pair: environment variable $variable is empty or unset"
done
cd "$project_dir"
project_dir=$(pwd)

if ! command -v pulumi >/dev/null; then
  PATH="$(bash "$repo/local/engine/pulumi-engine.sh"):$PATH"
fi

stack="test-$(date -u +%Y%m%d%H%M%S)-$(od -An -N3 -tx1 /dev/urandom | tr -d ' \n')"
settings="Pulumi.$stack.yaml"
[[ ! -e "$settings" ]] || { log "error: $project_dir/$settings exists already"; exit 1; }

pulumi_() { pulumi --non-interactive "$@"; }

created=false
phase=""
run_phase() {
  phase=$1
  shift
  log "$phase ($stack)"
  "$@"
}

teardown() {
  local status=$?
  trap - EXIT INT TERM HUP
  if $created; then
    if [[ $status -ne 0 ]]; then log "$phase failed (exit $status); tearing down"; fi
    if run_phase "destroy" pulumi_ destroy --yes --stack "$stack"; then
      if ! run_phase "stack rm" pulumi_ stack rm --yes --stack "$stack"; then
        [[ $status -ne 0 ]] || status=1
      fi
    else
      log "error: destroy failed; the stack $stack is kept so that nothing it made is lost."
      log "finish it with: pulumi --cwd '$project_dir' destroy --yes --stack $stack && pulumi --cwd '$project_dir' stack rm --yes --stack $stack"
      [[ $status -ne 0 ]] || status=1
    fi
  else
    rm -f "$settings"
  fi
  if [[ $status -eq 0 ]]; then log "done: $stack created, checked, destroyed and removed"; fi
  exit "$status"
}
trap teardown EXIT
trap 'exit 130' INT TERM HUP

# The file becomes the stack's settings before `stack init`, so a passphrase stack reuses its encryption salt.
cp "$config_file" "$settings"
init_args=(stack init "$stack")
[[ -z "$secrets_provider" ]] || init_args+=(--secrets-provider "$secrets_provider")
run_phase "stack init" pulumi_ "${init_args[@]}"
created=true

for pair in ${secret_envs[@]+"${secret_envs[@]}"}; do
  variable=${pair#*=}
  printf '%s' "${!variable}" | run_phase "config set --secret ${pair%%=*}" pulumi_ config set --secret --path --stack "$stack" -- "${pair%%=*}"
done

run_phase "up" pulumi_ up --yes --stack "$stack"
run_phase "smoke check: preview --expect-no-changes" pulumi_ preview --expect-no-changes --stack "$stack"
if [[ -n "$check_command" ]]; then
  run_phase "smoke check: --check" env EPHEMERAL_STACK="$stack" bash -c "$check_command"
fi
