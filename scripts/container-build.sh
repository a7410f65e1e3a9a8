#!/usr/bin/env bash
# The project image ($IMAGE, localhost/kpibot:dev) from the Dockerfile, FROM the local base
# (scripts/container-base.sh), with podman as this machine allows: chroot isolation, no pulling,
# Docker's image format (so HEALTHCHECK and STOPSIGNAL are kept). Extra arguments go to podman build,
# e.g. --build-arg BASE=python:3.11-slim-bookworm@sha256:... where a registry is reachable.
set -euo pipefail
source "$(dirname "$0")/container-env.sh"
cd "$ROOT"
args=(--isolation=chroot --pull=never --format docker --layers --build-arg "BASE=$BASE_IMAGE" --tag "$IMAGE")
# The host's CA bundle, for the build steps only: the package index is then reached as the host
# reaches it (through a TLS-inspecting proxy, where there is one). It is not copied into the image.
ca="${KPIBOT_BUILD_CA:-/etc/ssl/certs/ca-certificates.crt}"
if [ -s "$ca" ]; then
  args+=(--volume "$ca:/run/kpibot-build-ca.pem:ro" --build-arg BUILD_CA=/run/kpibot-build-ca.pem)
fi
podman build "${args[@]}" "$@" .
