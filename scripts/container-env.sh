# Sourced by the container scripts: where things live, and podman configured for this project
# (CONTAINERS_CONF points at deploy/podman/containers.conf; nothing under /etc is edited).
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CONTAINERS_CONF="$ROOT/deploy/podman/containers.conf"
# The base image's root file system and its package list are kept here between runs.
CACHE="${KPIBOT_CONTAINER_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/kpibot-container}"
# The Debian release the base is built from, by code name (not "stable", which moves).
SUITE="${KPIBOT_DEBIAN_SUITE:-bookworm}"
BASE_IMAGE="${KPIBOT_BASE_IMAGE:-localhost/kpibot-base:$SUITE}"
IMAGE="${KPIBOT_IMAGE:-localhost/kpibot:dev}"
