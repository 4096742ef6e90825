#!/usr/bin/env bash
# Dependency audit (for CI): pip-audit over the sample app's runtime lock (app/requirements.txt, what the image
# installs, every pin hashed) and `npm audit --omit=dev` over the program's production npm dependencies.
# A finding must be fixed, or recorded with a reason and a review date in scripts/audit/recorded-findings.json
# ({"findings": [{"id": "GHSA-…", "package": "…", "reason": "…", "reviewBy": "YYYY-MM-DD"}]}).
#
# Exit 0: no finding but recorded ones; 1: a finding not recorded (or past its review date), listed; 2: a
# scanner could not audit everything (its advisory service unreachable, a package it could not look up).
# pip-audit itself says "No known vulnerabilities found" when it could look up nothing: that is exit 2 here.
# Needs: PyPI's JSON API per release (/pypi/<name>/<version>/json) and the npm registry's bulk advisory
# endpoint (POST /-/npm/v1/security/advisories/bulk).
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# app/.venv holds pip-audit at the version the dev lock pins.
python=$(bash "$repo/scripts/python-venv.sh")
"$python" -m pip_audit --requirement "$repo/app/requirements.txt" --require-hashes --disable-pip \
  --format json --output "$work/pip.json" --progress-spinner off 2>"$work/pip.err" || true
[[ -f "$work/pip.json" ]] || : >"$work/pip.json"

# npm exits non-zero on findings and on errors alike; the report says which.
(cd "$repo" && npm audit --omit=dev --json >"$work/npm.json" 2>"$work/npm.err") || true

cd "$repo"
exec npx --no-install tsx scripts/audit/findings.ts "$work/pip.json" "$work/pip.err" "$work/npm.json" \
  scripts/audit/recorded-findings.json
