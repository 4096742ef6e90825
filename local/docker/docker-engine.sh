#!/usr/bin/env bash
# A Docker engine for the sample app image, and the Python base image app/Dockerfile builds FROM.
#
# Usage: local/docker/docker-engine.sh start [--owner PID]   prints the DOCKER_HOST to use (the one line on stdout)
#        local/docker/docker-engine.sh stop [--owner PID]    stops the engines this script started (for PID)
#        local/docker/docker-engine.sh run COMMAND [ARG...]  start, run COMMAND with DOCKER_HOST exported, stop
#        local/docker/docker-engine.sh base-image            prints the image reference, pinned by digest, that
#                                                       app/Dockerfile's BASE_IMAGE should be on the engine
#                                                       at DOCKER_HOST (the one line on stdout)
#   Progress goes to stderr.
#
# start uses the engine at $DOCKER_HOST, or else at the default socket, when it answers, or one a previous
# `start` without --owner left running. Otherwise (root on Debian) it installs docker.io with apt when dockerd
# is missing and starts dockerd with host-only networking (no bridge, no iptables rules: builds and containers
# use --network host) on ${TMPDIR:-/tmp}/logto-entra-sso-docker/engine.*/docker.sock. Its images stay in the
# cache's data-root between runs; an engine started while another one holds that data-root gets a throw-away
# one. With --owner PID the engine stops when process PID exits, and `stop --owner PID` stops only the engines
# started for PID: a nested `start` in the same run (DOCKER_HOST exported) reuses the engine and owns nothing.
# `stop` without --owner stops the engines started without one.
#
# Then the engine gets the base image named by `ARG BASE_IMAGE=` in app/Dockerfile (pinned by digest): already
# there, pulled, or, for python:<X.Y>[.<Z>]-slim-<Debian release>@sha256:<digest> when it cannot be pulled, a
# local stand-in built from Debian packages (local/docker/python-base.Dockerfile over a debootstrap root
# file system, trusting the machine's CA certificates) and cached, so that a fresh data-root loads it in seconds.
# The stand-in is pinned by digest the same way: local/docker/serve-image.py serves its archive as a
# registry on 127.0.0.1 for one `docker pull 127.0.0.1:<port>/logto-entra-sso/python-standin@sha256:<digest>`,
# after which the engine resolves that reference itself and checks the content against the digest; the digest
# (a function of the archive's content alone) is recorded next to the archive. `base-image` prints the
# reference to build with: the Dockerfile's own, or the stand-in's.
#   ${DOCKER_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/docker}/
#     rootfs/debian-<release>-<hash>.tar              the root file system (hash: release, packages)
#     images/python-<X.Y>-slim-<release>-<hash>.tar   `docker save` of the base (hash: recipe, CA certificates)
#     images/python-<X.Y>-slim-<release>-<hash>.digest   its manifest digest, as the engine pulled it
#     data-root/                                      the engine's images and build cache
#   Files of outdated hashes are not deleted automatically.
set -euo pipefail

repo=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
self="$repo/local/docker/docker-engine.sh"
app_dockerfile="$repo/app/Dockerfile"
base_recipe="$repo/local/docker/python-base.Dockerfile"
image_server="$repo/local/docker/serve-image.py"
standin_repository=logto-entra-sso/python-standin
cache_root="${DOCKER_ENGINE_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/logto-entra-sso/docker}"
run_root="${TMPDIR:-/tmp}/logto-entra-sso-docker"
default_socket=/var/run/docker.sock
ca_dir=/usr/local/share/ca-certificates
rootfs_packages=ca-certificates,python3,python3-venv,netbase,tzdata

log() { printf 'docker-engine: %s\n' "$*" >&2; }
die() {
  log "error: $*"
  exit 1
}
seconds_since() { awk -v from="$1" -v to="$EPOCHREALTIME" 'BEGIN { printf "%.1f", to - from }'; }

# --- clean-up of what this invocation leaves behind on failure ---------------------------------------------
temp_paths=()
launched_dir=""
run_owner=""
on_exit() {
  local status=$?
  local path
  for path in "${temp_paths[@]}"; do
    unmount_under "$path"
    rm -rf --one-file-system "$path"
  done
  # An engine started by a `start` that then failed is of no use to anyone.
  if [[ -n "$launched_dir" && $status -ne 0 ]]; then stop_engine "$launched_dir"; fi
  if [[ -n "$run_owner" ]]; then stop_owned "$run_owner"; fi
  exit "$status"
}
trap on_exit EXIT
trap 'exit 130' INT TERM HUP

# Mount points under $1 (an interrupted debootstrap or a killed engine can leave some), deepest first.
unmount_under() {
  local target
  awk -v prefix="$1/" 'index($2, prefix) == 1 { print $2 }' /proc/self/mounts | sort -r |
    while read -r target; do umount -l "$target" 2>/dev/null || true; done
}

answers() { DOCKER_HOST="$1" timeout 20 docker version --format '{{.Server.Version}}' >/dev/null 2>&1; }

is_dockerd() { [[ -n "$1" && "$(cat "/proc/$1/comm" 2>/dev/null)" == dockerd ]]; }

# "pid start-time": a pid alone could be reused by another process after the owner exits.
process_identity() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  printf '%s %s\n' "$1" "$(awk '{ print $20 }' <<<"${stat##*) }")"
}
owner_alive() { [[ "$(process_identity "${1%% *}" 2>/dev/null)" == "$1" ]]; }

install_packages() {
  [[ -f /etc/debian_version ]] && command -v apt-get >/dev/null ||
    die "$* is needed and this is no Debian system: install Docker Engine (https://docs.docker.com/engine/install/)" \
      "and start it, or set DOCKER_HOST to an engine"
  [[ $(id -u) -eq 0 ]] || die "installing $* needs root: run as root, or install it (and start Docker) yourself"
  local started=$EPOCHREALTIME
  log "installing $* with apt-get"
  export DEBIAN_FRONTEND=noninteractive
  apt-get update -qq -o DPkg::Lock::Timeout=600 >&2 &&
    apt-get install -y -qq --no-install-recommends -o DPkg::Lock::Timeout=600 "$@" >&2 ||
    die "apt-get could not install $*"
  log "installed $* in $(seconds_since "$started") s"
}

# --- engines started by this script ------------------------------------------------------------------------
# Each lives in $run_root/engine.*/: docker.sock, pid (dockerd), owner ("pid start-time", absent without
# --owner), data-root.path, exec/, data/ (a throw-away data-root), dockerd.log, guard.log.
engine_dirs() {
  local dir
  for dir in "$run_root"/engine.*; do [[ -f "$dir/pid" ]] && printf '%s\n' "$dir"; done
  return 0
}

stop_engine() {
  local dir=$1 pid waited=0
  [[ -d "$dir" ]] || return 0
  if ! mkdir "$dir/stopping" 2>/dev/null; then
    # Another stop (the guard, or the caller's trap) is at it: wait for it to finish.
    while [[ -d "$dir" && $waited -lt 600 ]]; do sleep 0.1; waited=$((waited + 1)); done
    return 0
  fi
  pid=$(cat "$dir/pid" 2>/dev/null || true)
  if is_dockerd "$pid"; then
    # Images left untagged by rebuilds would pile up in the kept data-root.
    if [[ "$(cat "$dir/data-root.path" 2>/dev/null)" == "$cache_root/data-root" ]]; then
      DOCKER_HOST="unix://$dir/docker.sock" timeout 60 docker image prune --force >/dev/null 2>&1 || true
    fi
    kill -TERM "$pid" 2>/dev/null || true
    # dockerd gives running containers 15 s to stop.
    while is_dockerd "$pid" && [[ $waited -lt 400 ]]; do sleep 0.1; waited=$((waited + 1)); done
    if is_dockerd "$pid"; then
      log "dockerd $pid did not stop within 40 s: killing it"
      kill -KILL "$pid" 2>/dev/null || true
      sleep 1
    fi
  fi
  unmount_under "$dir"
  rm -rf --one-file-system "$dir"
  log "stopped the engine at unix://$dir/docker.sock"
}

# Stops the engines started for owner pid $1, or, with $1 empty, those started without an owner.
stop_owned() {
  local wanted=$1 dir owner stopped=0
  while read -r dir; do
    owner=$(cat "$dir/owner" 2>/dev/null || true)
    [[ "${owner%% *}" == "$wanted" ]] || continue
    stop_engine "$dir"
    stopped=$((stopped + 1))
  done < <(engine_dirs)
  [[ $stopped -gt 0 ]] || log "no engine started by this script${wanted:+ for process $wanted} is running: nothing to stop"
}

# Runs detached beside each engine: stops it when its owner exits, removes its directory when it dies.
guard() {
  local dir=$1 pid owner
  pid=$(cat "$dir/pid")
  owner=$(cat "$dir/owner" 2>/dev/null || true)
  while is_dockerd "$pid"; do
    if [[ -n "$owner" ]] && ! owner_alive "$owner"; then
      log "owner ${owner%% *} has exited"
      break
    fi
    sleep 1
  done
  stop_engine "$dir"
}

# Directories of engines whose dockerd is gone (killed, machine restarted), with whatever they mounted; not
# those of the last minute, which may be starting.
remove_dead_engines() {
  local dir
  while read -r dir; do
    if ! is_dockerd "$(cat "$dir/pid")" && [[ ! -d "$dir/stopping" && -n "$(find "$dir/pid" -mmin +1)" ]]; then
      unmount_under "$dir"
      rm -rf --one-file-system "$dir"
    fi
  done < <(engine_dirs)
}

unowned_engine() {
  local dir
  while read -r dir; do
    [[ ! -f "$dir/owner" ]] && answers "unix://$dir/docker.sock" && { printf 'unix://%s\n' "$dir/docker.sock"; return 0; }
  done < <(engine_dirs)
  return 1
}

# Starts dockerd; sets engine_host.
launch() {
  local owner_pid=$1 dir data_root started dockerd_pid waited=0
  [[ $(id -u) -eq 0 ]] ||
    die "no Docker engine answers (DOCKER_HOST=${DOCKER_HOST:-unset}, unix://$default_socket) and starting one needs" \
      "root: start Docker and set DOCKER_HOST, or run as root"
  if ! command -v dockerd >/dev/null || ! command -v docker >/dev/null; then
    install_packages docker.io
    # Where systemd runs, installing the package started the machine's engine.
    if [[ -z "${DOCKER_HOST:-}" ]] && answers "unix://$default_socket"; then
      engine_host="unix://$default_socket"
      return 0
    fi
  fi
  remove_dead_engines
  mkdir -p "$run_root" "$cache_root"
  dir=$(mktemp -d "$run_root/engine.XXXXXX")
  [[ ${#dir} -le 90 ]] || die "$dir is too long for a unix socket path: set TMPDIR to a shorter directory"
  launched_dir=$dir
  [[ -z "$owner_pid" ]] || process_identity "$owner_pid" >"$dir/owner" || die "process $owner_pid (--owner) is not running"
  # One engine at a time uses the kept data-root; the lock is held by this engine's guard until dockerd exits.
  exec 9>>"$cache_root/data-root.lock"
  if command -v flock >/dev/null && flock --nonblock 9; then
    data_root="$cache_root/data-root"
  else
    exec 9>&-
    data_root="$dir/data"
    log "the kept data-root is in use by another engine: this one starts empty"
  fi
  printf '%s\n' "$data_root" >"$dir/data-root.path"
  started=$EPOCHREALTIME
  # Its own session, so that ^C in the caller's terminal stops it through the guard, not half-way.
  setsid dockerd --host "unix://$dir/docker.sock" --data-root "$data_root" --exec-root "$dir/exec" \
    --pidfile "$dir/dockerd.pid" --bridge none --iptables=false --ip-masq=false \
    </dev/null >"$dir/dockerd.log" 2>&1 9>&- &
  dockerd_pid=$!
  printf '%s\n' "$dockerd_pid" >"$dir/pid"
  until answers "unix://$dir/docker.sock"; do
    if ! kill -0 "$dockerd_pid" 2>/dev/null || [[ $waited -ge 600 ]]; then
      tail -n 5 "$dir/dockerd.log" >&2 || true
      die "dockerd did not start (log above; data-root $data_root)"
    fi
    sleep 0.1
    waited=$((waited + 1))
  done
  # Started only now that the process is surely dockerd, which is what the guard watches for.
  setsid bash "$self" __guard "$dir" </dev/null >>"$dir/guard.log" 2>&1 &
  exec 9>&-
  engine_host="unix://$dir/docker.sock"
  log "started dockerd $(DOCKER_HOST=$engine_host docker version --format '{{.Server.Version}}') in" \
    "$(seconds_since "$started") s at $engine_host${owner_pid:+ for process $owner_pid}"
}

# Sets engine_host (and launched_dir when it started one).
start_engine() {
  local owner_pid=$1
  command -v docker >/dev/null || install_packages docker.io
  if [[ -n "${DOCKER_HOST:-}" ]]; then
    if answers "$DOCKER_HOST"; then
      engine_host=$DOCKER_HOST
      log "using the engine at DOCKER_HOST=$engine_host"
      return 0
    fi
    log "DOCKER_HOST=$DOCKER_HOST does not answer: looking for another engine"
  elif answers "unix://$default_socket"; then
    engine_host="unix://$default_socket"
    log "using the machine's engine at $engine_host"
    return 0
  fi
  if engine_host=$(unowned_engine); then
    log "using the engine a previous start left running at $engine_host"
    return 0
  fi
  launch "$owner_pid"
}

# --- the base image ----------------------------------------------------------------------------------------
dockerfile_base_image() {
  local image
  image=$(sed -n 's/^ARG BASE_IMAGE=\([^[:space:]]*\)[[:space:]]*$/\1/p' "$app_dockerfile" | head -n 1)
  [[ -n "$image" ]] || die "$app_dockerfile has no 'ARG BASE_IMAGE=<image>' line to read the base image from"
  printf '%s\n' "$image"
}

# The Debian mirror apt uses here (deb822 .sources or one-line .list), else deb.debian.org.
apt_mirror() {
  local mirror
  mirror=$(
    {
      sed -E 's/\[[^]]*\]//' /etc/apt/sources.list /etc/apt/sources.list.d/*.list 2>/dev/null | awk '$1 == "deb" { print $2, $3 }'
      awk 'BEGIN { RS = ""; FS = "\n" }
        { types = uris = suites = ""; enabled = 1
          for (i = 1; i <= NF; i++) {
            if ($i ~ /^Types:/) types = $i; else if ($i ~ /^URIs:/) uris = $i
            else if ($i ~ /^Suites:/) suites = $i; else if ($i ~ /^Enabled:[ \t]*no/) enabled = 0
          }
          if (!enabled || types !~ /[ \t]deb([ \t]|$)/) next
          sub(/^URIs:[ \t]*/, "", uris); split(uris, uri, /[ \t]+/)
          sub(/^Suites:[ \t]*/, "", suites); n = split(suites, suite, /[ \t]+/)
          for (j = 1; j <= n; j++) print uri[1], suite[j] }' /etc/apt/sources.list.d/*.sources 2>/dev/null
    } | awk '$1 ~ /debian/ && $1 !~ /security/ && $2 !~ /-/ { print $1; exit }'
  )
  printf '%s\n' "${DEBIAN_MIRROR:-${mirror:-http://deb.debian.org/debian}}"
}

# Sets rootfs_tar: the Debian root file system, built once with debootstrap.
build_rootfs() {
  local release=$1 hash work mirror started
  hash=$(printf '%s\n' "$release" minbase "$rootfs_packages" | sha256sum | cut -c1-12)
  rootfs_tar="$cache_root/rootfs/debian-$release-$hash.tar"
  [[ -f "$rootfs_tar" ]] && return 0
  [[ $(id -u) -eq 0 ]] || die "building the Debian $release root file system (debootstrap) needs root"
  command -v debootstrap >/dev/null || install_packages debootstrap
  mirror=$(apt_mirror)
  mkdir -p "$cache_root/rootfs"
  work=$(mktemp -d "$cache_root/rootfs/.build.XXXXXX")
  temp_paths+=("$work")
  started=$EPOCHREALTIME
  log "debootstrap of Debian $release (minbase, $rootfs_packages) from $mirror: a few minutes, once"
  debootstrap --variant=minbase --include="$rootfs_packages" "$release" "$work/root" "$mirror" >"$work/log" 2>&1 ||
    { tail -n 5 "$work/log" >&2; die "debootstrap failed (log above)"; }
  # As in the official images: no package cache, no package lists.
  rm -rf "$work/root"/var/cache/apt/archives/*.deb "$work/root"/var/lib/apt/lists/*
  tar -C "$work/root" --numeric-owner -cf "$work/rootfs.tar" .
  mv "$work/rootfs.tar" "$rootfs_tar"
  log "built the Debian $release root file system in $(seconds_since "$started") s ($rootfs_tar)"
}

# Sets base_image: the reference app/Dockerfile's BASE_IMAGE should be on the engine at $1, which has it then:
# the Dockerfile's own (in the engine, or pulled), else the local stand-in's (see the top of this file).
ensure_base_image() {
  export DOCKER_HOST=$1
  local image tag minor release hash saved started pull_error
  image=$(dockerfile_base_image)
  base_image=$image
  if docker image inspect "$image" >/dev/null 2>&1; then
    log "base image $image: in the engine"
    return 0
  fi
  started=$EPOCHREALTIME
  if pull_error=$(timeout 300 docker pull --quiet "$image" 2>&1 >/dev/null); then
    log "base image $image: pulled in $(seconds_since "$started") s"
    return 0
  fi
  log "base image $image cannot be pulled (${pull_error%%$'\n'*})"
  [[ "$image" =~ ^(python:([0-9]+\.[0-9]+)(\.[0-9]+)?-slim-([a-z]+))(@sha256:[0-9a-f]{64})?$ ]] ||
    die "only python:<X.Y.Z>-slim-<Debian release>[@sha256:<digest>] can be built locally, not $image: make it" \
      "pullable or load it"
  tag=${BASH_REMATCH[1]}
  minor=${BASH_REMATCH[2]}
  release=${BASH_REMATCH[4]}
  # The tag, not the digest: the stand-in is made from Debian's packages whatever the official image's digest.
  hash=$(
    {
      printf '%s\n' "$tag" "$rootfs_packages"
      cat "$base_recipe"
      [[ -d "$ca_dir" ]] && find "$ca_dir" -type f -name '*.crt' | LC_ALL=C sort | xargs -r cat
    } | sha256sum | cut -c1-12
  )
  saved="$cache_root/images/python-$minor-slim-$release-$hash.tar"
  if docker image inspect "$tag" >/dev/null 2>&1; then
    log "base image $tag: the local stand-in is in the engine"
  elif [[ -f "$saved" ]]; then
    docker load --quiet --input "$saved" >/dev/null
    log "base image $tag: loaded the local stand-in from the cache in $(seconds_since "$started") s"
  else
    build_standin "$tag" "$minor" "$release"
  fi
  if [[ ! -f "$saved" ]]; then
    mkdir -p "$cache_root/images"
    docker save --output "$saved.partial" "$tag"
    mv "$saved.partial" "$saved"
  fi
  publish_standin "$tag" "$saved"
}

# Builds the local stand-in for python:<minor>-slim-<release> under the tag $1.
build_standin() {
  local tag=$1 minor=$2 release=$3 rootfs_image context started=$EPOCHREALTIME
  build_rootfs "$release"
  rootfs_image="logto-entra-sso/debian-rootfs:$release"
  docker import "$rootfs_tar" "$rootfs_image" >/dev/null
  context=$(mktemp -d)
  temp_paths+=("$context")
  mkdir "$context/ca-certificates"
  [[ -d "$ca_dir" ]] && cp -R "$ca_dir/." "$context/ca-certificates/"
  # The recipe needs no network; host networking keeps the build off any bridge.
  docker build --network host --file "$base_recipe" --tag "$tag" --build-arg "ROOTFS_IMAGE=$rootfs_image" \
    --build-arg "PYTHON_MINOR=$minor" --build-arg "IMAGE_NAME=$tag" "$context" >&2 ||
    die "building the local stand-in for $tag failed"
  docker rmi "$rootfs_image" >/dev/null
  docker run --rm --network none "$tag" sh -c \
    'for tool in python pip groupadd useradd; do command -v "$tool" >/dev/null || exit 1; done' ||
    die "the local stand-in for $tag lacks python, pip, groupadd or useradd"
  log "base image $tag: built the local stand-in ($(docker run --rm --network none "$tag" python --version))" \
    "in $(seconds_since "$started") s"
}

# Sets base_image to the stand-in (tag $1, archive $2) pinned by its digest, pulling it from a registry on
# 127.0.0.1 that serves the archive, unless the engine has pulled it before.
publish_standin() {
  local tag=$1 saved=$2 reference port digest pull_error started=$EPOCHREALTIME
  reference=$(docker image inspect --format '{{range .RepoDigests}}{{println .}}{{end}}' "$tag" |
    grep -m 1 "/$standin_repository@sha256:" || true)
  if [[ -z "$reference" ]]; then
    command -v python3 >/dev/null || die "python3 is needed to serve the local stand-in to the engine"
    # The server prints "<port> <digest>", then serves until its stdin closes (with this script, at the latest).
    coproc registry { python3 "$image_server" "$saved" "$standin_repository" 2>&1; }
    read -r -t 300 port digest <&"${registry[0]}" || true
    [[ "$digest" == sha256:* ]] || die "serving $saved to the engine failed: $port $digest"
    reference="127.0.0.1:$port/$standin_repository@$digest"
    pull_error=$(docker pull --quiet "$reference" 2>&1 >/dev/null) || reference=""
    exec {registry[1]}>&-
    wait "$registry_PID" || true
    [[ -n "$reference" ]] || die "the engine could not pull the local stand-in from 127.0.0.1:$port: $pull_error"
    log "base image $tag: pulled the local stand-in as $reference in $(seconds_since "$started") s"
  fi
  digest=${reference##*@}
  if [[ -f "$saved.digest" && "$(cat "$saved.digest")" != "$digest" ]]; then
    die "the local stand-in's digest is $digest, but $saved.digest recorded $(cat "$saved.digest"): remove both and run again"
  fi
  printf '%s\n' "$digest" >"$saved.digest"
  base_image=$reference
  log "base image: $base_image (the local stand-in for $(dockerfile_base_image))"
}

# --- commands ----------------------------------------------------------------------------------------------
usage="usage: local/docker/docker-engine.sh start [--owner PID] | stop [--owner PID] | run COMMAND [ARG...] | base-image"
owner_option() {
  case "$#" in
    0) ;;
    2) [[ "$1" == --owner && "$2" =~ ^[0-9]+$ ]] || die "$usage" ;;
    *) die "$usage" ;;
  esac
  printf '%s\n' "${2:-}"
}

command=${1:-}
[[ $# -gt 0 ]] && shift
case "$command" in
  start)
    owner_pid=$(owner_option "$@")
    start_engine "$owner_pid"
    ensure_base_image "$engine_host"
    launched_dir=""
    printf '%s\n' "$engine_host"
    ;;
  stop)
    owner_pid=$(owner_option "$@")
    stop_owned "$owner_pid"
    ;;
  run)
    [[ $# -gt 0 ]] || die "$usage"
    start_engine "$$"
    [[ -z "$launched_dir" ]] || run_owner=$$
    ensure_base_image "$engine_host"
    launched_dir=""
    DOCKER_HOST=$engine_host "$@"
    ;;
  base-image)
    [[ $# -eq 0 ]] || die "$usage"
    answers "${DOCKER_HOST:-unix://$default_socket}" ||
      die "no Docker engine answers at ${DOCKER_HOST:-unix://$default_socket}: run \`start\` first and export DOCKER_HOST"
    ensure_base_image "${DOCKER_HOST:-unix://$default_socket}"
    printf '%s\n' "$base_image"
    ;;
  __guard) guard "$1" ;;
  *) die "$usage" ;;
esac
