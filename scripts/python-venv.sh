#!/usr/bin/env bash
# Creates or updates app/.venv with the sample app's locked runtime and test requirements, then prints the
# venv's python path (the only thing written to stdout, so `PY="$(bash scripts/python-venv.sh)"` works).
# Fast when nothing changed: the venv is rebuilt only when the hash of the requirement files and of the
# base interpreter's version differs from the one stamped after the last successful install.
set -euo pipefail

app_dir="$(cd "$(dirname "${BASH_SOURCE[0]}")/../app" && pwd)"
venv="$app_dir/.venv"
venv_python="$venv/bin/python"
stamp="$venv/.requirements.sha256"
base_python="${PYTHON:-python3}"

if ! "$base_python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
  echo "python-venv.sh: $base_python is missing or older than 3.11 (the app image runs 3.11); set PYTHON to a 3.11+ interpreter" >&2
  exit 1
fi

wanted="$(
  cd "$app_dir"
  { "$base_python" -c 'import sys; print(sys.version)'; cat requirements.txt requirements-dev.txt; } | sha256sum | cut -d' ' -f1
)"
if [[ -x "$venv_python" && -f "$stamp" && "$(cat "$stamp")" == "$wanted" ]] && "$venv_python" -c '' 2>/dev/null; then
  echo "$venv_python"
  exit 0
fi

# Anything else (new, changed requirements or interpreter, an install that failed half-way) gets a fresh
# venv: pip would upgrade changed pins in place but keep packages no longer listed, which could hide a
# missing requirement from the tests.
echo "python-venv.sh: (re)creating $venv" >&2
rm -rf "$venv"
"$base_python" -m venv "$venv"
# Both files are locks with the sha256 of every distribution (pip-compile --generate-hashes): pip refuses
# anything else, including a package whose file on the index changed.
"$venv_python" -m pip install --quiet --disable-pip-version-check --require-hashes \
  -r "$app_dir/requirements.txt" -r "$app_dir/requirements-dev.txt" >&2
printf '%s\n' "$wanted" >"$stamp"
echo "$venv_python"
