#!/usr/bin/env bash
# Provides the browser the sign-in tests drive (test/browser/): Debian's `chromium`, never a browser download.
#
# Usage: local/browser/browser.sh
#   Prints exactly one line on stdout: the absolute path of the chromium executable. Progress goes to stderr.
#   $CHROMIUM, when set, is used as it is (it must run). Otherwise /usr/bin/chromium; when it is missing and we
#   are root on Debian, the `chromium` package is installed with apt (about a minute the first time).
#   Typical use:  CHROMIUM="$(bash local/browser/browser.sh)"
set -euo pipefail

log() { printf 'browser: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ $# -eq 0 ]] || die "unknown argument '$1' (usage: local/browser/browser.sh)"

# `--version` starts no browser: enough to know the binary and its libraries load.
version_of() { "$1" --version 2>/dev/null | head -n1; }

if [[ -n "${CHROMIUM:-}" ]]; then
  found=$(version_of "$CHROMIUM") || true
  [[ -n "$found" ]] || die "CHROMIUM=$CHROMIUM does not run (\`$CHROMIUM --version\` failed): unset it or point it at a chromium"
  log "using $found from CHROMIUM ($CHROMIUM)"
  printf '%s\n' "$CHROMIUM"
  exit 0
fi

chromium=/usr/bin/chromium
if [[ ! -x "$chromium" ]]; then
  command -v apt-get >/dev/null || die "$chromium is missing and apt-get is not available: install Chromium and set CHROMIUM to its path"
  [[ "$(id -u)" -eq 0 ]] || die "$chromium is missing: install it (sudo apt-get install chromium) or set CHROMIUM, then run again"
  log "installing Debian's chromium with apt (once per machine)"
  start=$SECONDS
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq >&2 || die "apt-get update failed (see above)"
  apt-get install -y -qq --no-install-recommends chromium >&2 || die "apt-get install chromium failed (see above)"
  log "installed chromium in $((SECONDS - start))s"
fi

found=$(version_of "$chromium") || true
[[ -n "$found" ]] || die "$chromium is installed but \`$chromium --version\` fails: reinstall it (apt-get install --reinstall chromium)"
log "using $found ($chromium)"
printf '%s\n' "$chromium"
