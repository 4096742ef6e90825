#!/usr/bin/env bash
# `npm run lint`: every linter and formatter check of the three languages, each run even when an earlier one
# failed, so one run lists everything to fix. Changes nothing (fix with: npx eslint --fix ., npx prettier --write .,
# app/.venv/bin/ruff format app && app/.venv/bin/ruff check --fix app, gofmt -w <dir>).
#   TypeScript  ESLint (typescript-eslint, type-aware: eslint.config.mjs), Prettier (.prettierrc.json)
#   Python      Ruff lint + format (app/ruff.toml), in the sample app's venv (scripts/python-venv.sh)
#   Go          gofmt and go vet over the plugin doubles and our language host
set -uo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/.."

failed=()
check() {
  local name=$1
  shift
  echo "lint: $name" >&2
  "$@" || failed+=("$name")
}

go_modules=(local/plugin-doubles local/engine/pulumi-engine)
gofmt_clean() {
  local unformatted
  unformatted=$(gofmt -l "${go_modules[@]}")
  [[ -z "$unformatted" ]] || { printf 'gofmt: not formatted:\n%s\n' "$unformatted" >&2; return 1; }
}
go_vet() {
  local module status=0
  for module in "${go_modules[@]}"; do
    (cd "$module" && GOWORK=off go vet -mod=readonly ./...) || status=1
  done
  return "$status"
}

python="$(bash scripts/python-venv.sh)" || { echo "lint: no Python venv for Ruff" >&2; exit 1; }
ruff="$(dirname "$python")/ruff"

check eslint npx eslint --max-warnings 0 .
check prettier npx prettier --check --log-level warn .
check "ruff check" "$ruff" check app
check "ruff format" "$ruff" format --check app
check gofmt gofmt_clean
check "go vet" go_vet

if ((${#failed[@]})); then
  echo "lint: failed: ${failed[*]}" >&2
  exit 1
fi
echo "lint: passed (eslint, prettier, ruff check, ruff format, gofmt, go vet)" >&2
