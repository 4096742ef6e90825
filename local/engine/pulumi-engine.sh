#!/usr/bin/env bash
# Provides the Pulumi engine at the version of the installed @pulumi/pulumi npm package:
#   pulumi                         the CLI, built from github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
#   pulumi-language-nodejs         the Node.js language host (local/engine/pulumi-engine/langhost: why it is ours
#                                  is written at the top of its main.go)
#   pulumi-resource-pulumi-nodejs  the dynamic-provider launcher, copied from the @pulumi/pulumi package
#
# Usage: local/engine/pulumi-engine.sh [--check]
#   Prints exactly one line on stdout: the absolute bin directory to put first on PATH. Progress goes to stderr.
#   A pulumi on PATH at the right version, with the language host and the launcher beside it or on PATH, is used
#   as it is. Otherwise the binaries are built once (Go needed) into a cache outside the work tree:
#   ${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/pulumi-engine}/v<version>/<src>/bin
#   where <src> is a hash of local/engine/pulumi-engine/ (go.mod, go.sum, the language host), so editing them rebuilds
#   (into a new directory: delete the old ones by hand, about 130 MB each).
#   --check  never builds: verifies that the engine found runs (pulumi version, the language host starts)
#            and fails if there is none.
#   Typical use:  PATH="$(local/engine/pulumi-engine.sh):$PATH"
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
tools="$repo/local/engine/pulumi-engine"
launcher=pulumi-resource-pulumi-nodejs

log() { printf 'pulumi-engine: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

check_only=false
case "${1:-}" in
  "") ;;
  --check) check_only=true ;;
  *) die "unknown argument '$1' (usage: local/engine/pulumi-engine.sh [--check])" ;;
esac

sdk_package="$repo/node_modules/@pulumi/pulumi"
[[ -f "$sdk_package/package.json" ]] || die "$sdk_package is missing: run npm ci in $repo first"
command -v node >/dev/null || die "node is not on PATH (Pulumi runs the program and dynamic providers with it)"
version="v$(node -p 'require(process.argv[1]).version' "$sdk_package/package.json")"
cache_root="${PULUMI_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/pulumi-engine}"

# The engine and the Node SDK must agree (the Automation API compares them), so the version is checked exactly.
pulumi_version_of() { "$1/pulumi" version 2>/dev/null || true; }

# True when the language host (path $1) starts and announces its gRPC port, as the engine expects of it.
language_host_starts() {
  local port
  read -r -t 20 port < <(exec "$1")
  local started=$!
  kill "$started" 2>/dev/null || true
  [[ "$port" =~ ^[0-9]+$ ]]
}

verify_bin_dir() {
  local dir=$1 found
  found=$(pulumi_version_of "$dir")
  [[ "$found" == "$version" ]] || { log "$dir/pulumi reports '${found:-nothing}', expected $version"; return 1; }
  [[ -x "$dir/pulumi-language-nodejs" ]] || { log "$dir/pulumi-language-nodejs is missing"; return 1; }
  [[ -x "$dir/$launcher" ]] || { log "$dir/$launcher is missing"; return 1; }
  if $check_only; then
    language_host_starts "$dir/pulumi-language-nodejs" || { log "$dir/pulumi-language-nodejs does not start"; return 1; }
  fi
}

# Where a companion of the pulumi in $1 is: beside it (where the engine looks first) or on PATH.
companion() {
  if [[ -x "$1/$2" ]]; then printf '%s\n' "$1/$2"; else command -v "$2"; fi
}

# A pulumi already on PATH (a developer's install) is used when it matches and has its companions.
# One of our own cache directories on PATH is not such an install: the cache lookup below decides about it.
path_engine_dir() {
  local pulumi_bin dir
  pulumi_bin=$(command -v pulumi) || return 1
  dir=$(cd "$(dirname "$pulumi_bin")" && pwd)
  [[ "$dir" != "$cache_root"/* ]] || return 1
  [[ "$(pulumi_version_of "$dir")" == "$version" ]] || return 1
  companion "$dir" pulumi-language-nodejs >/dev/null && companion "$dir" "$launcher" >/dev/null || return 1
  printf '%s\n' "$dir"
}

if dir=$(path_engine_dir); then
  if $check_only; then
    language_host_starts "$(companion "$dir" pulumi-language-nodejs)" || die "the language host on PATH does not start"
  fi
  log "using pulumi $version from PATH ($dir)"
  printf '%s\n' "$dir"
  exit 0
fi

source_hash=$(cd "$tools" && find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) | LC_ALL=C sort |
  xargs sha256sum | sha256sum | cut -c1-12)
cache_dir="$cache_root/$version/$source_hash"
bin="$cache_dir/bin"
if [[ -d "$bin" ]]; then
  verify_bin_dir "$bin" || die "the cached engine in $bin is unusable: delete $cache_dir and run again"
  log "using cached pulumi $version ($bin)"
  printf '%s\n' "$bin"
  exit 0
fi
$check_only && die "no pulumi $version on PATH and none cached in $bin: run local/engine/pulumi-engine.sh to build it"

# --- build -------------------------------------------------------------------------------------------------
pinned=$(awk '$1 == "github.com/pulumi/pulumi/pkg/v3" { print $2 }' "$tools/go.mod")
[[ "$pinned" == "$version" ]] ||
  die "local/engine/pulumi-engine/go.mod pins pulumi ${pinned:-nothing}, node_modules/@pulumi/pulumi is $version;" \
    "update it: cd local/engine/pulumi-engine && go get github.com/pulumi/pulumi/pkg/v3@$version" \
    "github.com/pulumi/pulumi/sdk/v3@$version && go mod tidy"
go_needed=$(awk '$1 == "go" { print $2; exit }' "$tools/go.mod")
command -v go >/dev/null ||
  die "Go $go_needed or newer is needed to build pulumi $version (or put pulumi $version with" \
    "pulumi-language-nodejs and $launcher on PATH)"
go_found=$(go env GOVERSION)
go_found=${go_found#go}
[[ "$(printf '%s\n%s\n' "$go_needed" "$go_found" | sort -V | head -n1)" == "$go_needed" ]] ||
  die "Go $go_needed or newer is needed to build pulumi $version; found Go $go_found"

mkdir -p "$cache_dir"
work=$(mktemp -d "$cache_dir/.build.XXXXXX")
trap 'rm -rf "$work"' EXIT
trap 'exit 130' INT TERM HUP # an interrupted build leaves neither bin/ nor its work directory
# Pulumi's own release flags (goreleaser): the version variable makes `pulumi version` print $version.
build_flags=(-mod=readonly -buildvcs=false -trimpath -tags osusergo
  -ldflags "-s -w -X github.com/pulumi/pulumi/sdk/v3/go/common/version.Version=$version")
build() { (cd "$tools" && GOWORK=off go build "${build_flags[@]}" -o "$work/bin/$1" "$2"); }

log "building pulumi $version with Go $go_found (a cold build takes minutes; later runs use the cache)"
start=$SECONDS
build pulumi github.com/pulumi/pulumi/pkg/v3/cmd/pulumi
build pulumi-language-nodejs ./langhost
cp "$sdk_package/$launcher" "$work/bin/$launcher"
chmod 0755 "$work/bin/$launcher"
verify_bin_dir "$work/bin" || die "the freshly built engine does not run"

# Publish atomically: a rename either lands the whole directory or nothing.
if mv -T "$work/bin" "$bin" 2>/dev/null; then
  log "built pulumi $version in $((SECONDS - start))s into $bin"
else
  verify_bin_dir "$bin" || die "could not move the build into $bin"
  log "another run published the same build first; using it ($bin)"
fi
printf '%s\n' "$bin"
