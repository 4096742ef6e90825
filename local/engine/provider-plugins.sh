#!/usr/bin/env bash
# Provides the resource plugins the program's npm SDKs need (azuread, docker, command, at the versions in
# package-lock.json): the REAL plugin when one is found, otherwise our plugin double (local/plugin-doubles/),
# which the real plugins can stand in for since they cannot be installed here (their Go modules are refused by
# the module proxy, `pulumi plugin install` cannot download).
#
# Usage: local/engine/provider-plugins.sh
#   Prints exactly one line on stdout: a bin directory holding pulumi-resource-{azuread,docker,command}, to put
#   first on PATH (the engine prefers a plugin on PATH to its plugin cache, and warns
#   "using pulumi-resource-<name> from $PATH" once per plugin). Progress and the choice made go to stderr.
#   A real plugin at version <ver> is taken from, in this order:
#     $REAL_PLUGINS_DIR/resource-<name>-v<ver>/pulumi-resource-<name>
#     ${PULUMI_HOME:-$HOME/.pulumi}/plugins/resource-<name>-v<ver>/pulumi-resource-<name>
#     pulumi-resource-<name> on PATH, when it announces <ver> (GetPluginInfo)
#   PLUGIN_DOUBLES=force  always the doubles;  PLUGIN_DOUBLES=never  fail when a real plugin is missing.
#   The doubles are built once with Go into a cache outside the work tree:
#     ${PLUGIN_DOUBLES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/plugin-doubles}/<src>/bin
#   where <src> is a hash of local/plugin-doubles' sources (go.mod, go.sum, non-test .go files) and of the build
#   flags, so editing them rebuilds (into a new directory: delete old ones by hand, about 80 MB each). A mix of
#   real plugins and doubles is published as symlinks in <cache>/mixed/<hash of the choice>/bin. A bin/ of
#   doubles holds a PLUGIN-DOUBLES file: a double found on PATH is never taken for a real plugin.
#   Typical use:  PATH="$(local/engine/provider-plugins.sh):$PATH"
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
module="$repo/local/plugin-doubles"
plugins=(azuread docker command)

log() { printf 'provider-plugins: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}

[[ $# -eq 0 ]] || die "no arguments expected (usage: local/engine/provider-plugins.sh)"
mode="${PLUGIN_DOUBLES:-auto}"
case "$mode" in auto | force | never) ;; *) die "PLUGIN_DOUBLES is '$mode': use force, never, or leave it unset" ;; esac
[[ -f "$repo/package-lock.json" ]] || die "$repo/package-lock.json is missing"
command -v node >/dev/null || die "node is not on PATH (it reads the plugin versions from package-lock.json)"
cache_root="${PLUGIN_DOUBLES_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/plugin-doubles}"

# The versions the npm SDKs ask the engine for.
declare -A wanted
while read -r name version; do wanted[$name]=$version; done < <(node -e '
  const lock = require(process.argv[1]);
  for (const name of process.argv.slice(2)) {
    const entry = lock.packages["node_modules/@pulumi/" + name];
    if (!entry) { console.error("provider-plugins: error: package-lock.json has no @pulumi/" + name); process.exit(1); }
    console.log(name, entry.version);
  }' "$repo/package-lock.json" "${plugins[@]}")

# The version each double models: `const Version = "…"` in its package.
double_version() { sed -n 's/^const Version = "\(.*\)"$/\1/p' "$module/internal/$1/"*.go | head -n1; }

# --- the doubles, built on demand ------------------------------------------------------------------------
# What a build depends on besides the sources: the flags and the layout of bin/ (its marker file).
build_flags=(-mod=readonly -buildvcs=false -trimpath -tags osusergo -ldflags "-s -w")
marker=PLUGIN-DOUBLES
source_hash=$(
  cd "$module"
  {
    printf '%s\n' "${build_flags[*]}" "$marker"
    find . -type f \( -name '*.go' -o -name go.mod -o -name go.sum \) ! -name '*_test.go' ! -path './testdata/*' |
      LC_ALL=C sort | xargs sha256sum
  } | sha256sum | cut -c1-12
)
doubles_bin="$cache_root/$source_hash/bin"

# $marker marks a directory of doubles, so that one found on PATH (a nested run) is never taken for a real
# plugin.
verify_doubles() {
  local name
  for name in "${plugins[@]}"; do [[ -x "$1/pulumi-resource-$name" ]] || return 1; done
  [[ -x "$1/plugin-version" && -f "$1/$marker" ]]
}

build_doubles() {
  if verify_doubles "$doubles_bin"; then return 0; fi
  command -v go >/dev/null || die "Go is needed to build the plugin doubles (or give the real plugins: REAL_PLUGINS_DIR)"
  local go_needed go_found start
  go_needed=$(awk '$1 == "go" { print $2; exit }' "$module/go.mod")
  go_found=$(go env GOVERSION)
  go_found=${go_found#go}
  [[ "$(printf '%s\n%s\n' "$go_needed" "$go_found" | sort -V | head -n1)" == "$go_needed" ]] ||
    die "Go $go_needed or newer is needed to build the plugin doubles; found Go $go_found"
  mkdir -p "$cache_root/$source_hash"
  work=$(mktemp -d "$cache_root/$source_hash/.build.XXXXXX") # global: the EXIT trap removes it
  trap 'rm -rf "$work"' EXIT
  trap 'exit 130' INT TERM HUP # an interrupted build leaves neither bin/ nor its work directory
  log "building the plugin doubles with Go $go_found (first time: up to 2 minutes with a cold Go build cache; later runs use the cache)"
  start=$SECONDS
  # The engine's build flags (local/engine/pulumi-engine.sh), so both share Go's build cache.
  (cd "$module" && GOWORK=off go build "${build_flags[@]}" -o "$work/bin/" ./cmd/...)
  printf 'Plugin doubles built from local/plugin-doubles (sources %s), not the real plugins.\n' "$source_hash" >"$work/bin/$marker"
  verify_doubles "$work/bin" || die "the freshly built doubles are incomplete in $work/bin"
  # Publish atomically: a rename either lands the whole directory or nothing.
  if mv -T "$work/bin" "$doubles_bin" 2>/dev/null; then
    log "built the plugin doubles in $((SECONDS - start))s into $doubles_bin"
  else
    verify_doubles "$doubles_bin" || die "could not move the build into $doubles_bin"
    log "another run published the same build first; using it ($doubles_bin)"
  fi
}

# --- the real plugins --------------------------------------------------------------------------------------
# Prints the path of the real plugin <name> at version <ver>, if there is one.
real_plugin() {
  local name=$1 version=$2 file="pulumi-resource-$1" dir candidate found
  for dir in ${REAL_PLUGINS_DIR:+"$REAL_PLUGINS_DIR"} "${PULUMI_HOME:-$HOME/.pulumi}/plugins"; do
    candidate="$dir/resource-$name-v$version/$file"
    if [[ -x "$candidate" ]]; then
      printf '%s\n' "$candidate"
      return 0
    fi
  done
  candidate=$(command -v "$file" 2>/dev/null) || return 1
  # A double on PATH (a nested run, whatever its cache) is not a real plugin.
  [[ ! -f "$(dirname "$(readlink -f "$candidate")")/$marker" ]] || return 1
  build_doubles
  found=$("$doubles_bin/plugin-version" "$candidate" 2>/dev/null) || return 1
  if [[ "$found" == "$version" ]]; then
    printf '%s\n' "$candidate"
    return 0
  fi
  log "ignoring $candidate: it is version $found, the SDK needs $version"
  return 1
}

declare -A chosen
all_doubles=true
for name in "${plugins[@]}"; do
  version=${wanted[$name]}
  if [[ "$mode" != force ]] && path=$(real_plugin "$name" "$version"); then
    chosen[$name]=$path
    all_doubles=false
    log "using REAL $name $version from $path"
    continue
  fi
  [[ "$mode" != never ]] || die "no real pulumi-resource-$name $version found (PLUGIN_DOUBLES=never): put it in" \
    "\$REAL_PLUGINS_DIR/resource-$name-v$version/ or \$PULUMI_HOME/plugins/resource-$name-v$version/"
  modelled=$(double_version "$name")
  [[ "$modelled" == "$version" ]] || die "package-lock.json has @pulumi/$name $version but the double models $name" \
    "${modelled:-?} (local/plugin-doubles/internal/$name): update the double, or give the real plugin (REAL_PLUGINS_DIR)"
  build_doubles
  chosen[$name]="$doubles_bin/pulumi-resource-$name"
  log "using DOUBLE $name $version ($doubles_bin)"
done

if $all_doubles; then
  printf '%s\n' "$doubles_bin"
  exit 0
fi

# A mix: a directory of symlinks, named after what it points to.
choice=$(for name in "${plugins[@]}"; do printf '%s=%s\n' "$name" "${chosen[$name]}"; done)
mixed="$cache_root/mixed/$(sha256sum <<<"$choice" | cut -c1-12)"
if [[ ! -d "$mixed/bin" ]]; then
  mkdir -p "$mixed"
  work=$(mktemp -d "$mixed/.link.XXXXXX")
  trap 'rm -rf "$work"' EXIT
  mkdir "$work/bin"
  for name in "${plugins[@]}"; do ln -s "${chosen[$name]}" "$work/bin/pulumi-resource-$name"; done
  mv -T "$work/bin" "$mixed/bin" 2>/dev/null || [[ -d "$mixed/bin" ]] || die "could not publish $mixed/bin"
fi
printf '%s\n' "$mixed/bin"
