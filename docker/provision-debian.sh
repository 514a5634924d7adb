#!/usr/bin/env bash
# Provisions a Debian machine with no Docker engine and no reachable container registry:
# installs and starts a Docker engine, then makes the local Debian base image that the sshd
# image is built FROM. Every step is skipped when already done. Needs root.
#
#   bash docker/provision-debian.sh            # engine + base image
#
# Prints, as its last line, the environment the tests need on such a machine.
set -euo pipefail

BASE_IMAGE="${MUXTEST_BASE_IMAGE:-muxtest/debian-base:bookworm}"
DOCKERD_LOG="${DOCKERD_LOG:-/tmp/muxtest-dockerd.log}"
DOCKER_WAIT_SECONDS="${DOCKER_WAIT_SECONDS:-90}"

log() { printf '[provision] %s\n' "$*" >&2; }

need_pkgs=()
command -v dockerd >/dev/null 2>&1 || need_pkgs+=(docker.io)
command -v debootstrap >/dev/null 2>&1 || need_pkgs+=(debootstrap)
if ((${#need_pkgs[@]})); then
  log "installing ${need_pkgs[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need_pkgs[@]}" >/dev/null
fi

if ! timeout 10 docker info >/dev/null 2>&1; then
  log "starting dockerd (log: $DOCKERD_LOG)"
  # Also on TCP, loopback only, so suites can be run against an engine that is "not local"
  # (DOCKER_HOST=tcp://127.0.0.1:2375), as on CI runners and container clouds.
  # Detached from our stdout/stderr: a child holding them would keep readers of this script waiting.
  setsid dockerd -H unix:///var/run/docker.sock -H "tcp://${MUXTEST_DOCKER_TCP:-127.0.0.1:2375}" \
    >"$DOCKERD_LOG" 2>&1 </dev/null &
  echo $! >/tmp/muxtest-dockerd.pid
  deadline=$((SECONDS + DOCKER_WAIT_SECONDS))
  until timeout 10 docker info >/dev/null 2>&1; do
    if ((SECONDS >= deadline)); then
      log "dockerd did not answer within ${DOCKER_WAIT_SECONDS}s; tail of its log:"
      tail -n 30 "$DOCKERD_LOG" >&2 || true
      exit 1
    fi
    sleep 1
  done
  log "dockerd is up"
fi

if docker image inspect "$BASE_IMAGE" >/dev/null 2>&1; then
  log "base image $BASE_IMAGE already present"
else
  rootfs=$(mktemp -d /tmp/muxtest-rootfs.XXXXXX)
  trap 'rm -rf "$rootfs"' EXIT
  log "building base image $BASE_IMAGE with debootstrap (about a minute)"
  debootstrap --variant=minbase bookworm "$rootfs" http://deb.debian.org/debian >/tmp/muxtest-debootstrap.log 2>&1 \
    || { tail -n 30 /tmp/muxtest-debootstrap.log >&2; exit 1; }
  tar -C "$rootfs" -c . | docker import - "$BASE_IMAGE" >/dev/null
  log "base image $BASE_IMAGE imported"
fi

echo "MUXTEST_BASE_IMAGE=$BASE_IMAGE TESTCONTAINERS_RYUK_DISABLED=true TESTCONTAINERS_HOST_OVERRIDE=localhost"
