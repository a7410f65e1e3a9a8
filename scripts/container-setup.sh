#!/usr/bin/env bash
# Installs what building and running the image needs, from Debian's packages, once: podman with runc,
# buildah, mmdebstrap (the base image from Debian's mirror), uidmap, and Debian's PyYAML (to check
# compose.yaml). Then checks podman starts here.
# Exit 0: ready. Exit 3: this machine cannot (the reason is printed): callers skip.
set -euo pipefail
source "$(dirname "$0")/container-env.sh"
need=()
for tool in podman:podman buildah:buildah runc:runc mmdebstrap:mmdebstrap newuidmap:uidmap; do
  command -v "${tool%%:*}" >/dev/null 2>&1 || need+=("${tool##*:}")
done
/usr/bin/python3 -c 'import yaml' >/dev/null 2>&1 || need+=(python3-yaml)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
    echo "Installing for the container: ${need[*]}"
    apt-get update -qq >/dev/null 2>&1 || true
    if ! DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${need[@]}" \
        >/dev/null 2>&1; then
      echo "Cannot build the image here: installing ${need[*]} from Debian's packages failed."
      exit 3
    fi
  else
    echo "Cannot build the image here: ${need[*]} missing, and not root with apt-get to install them."
    exit 3
  fi
fi
if [ "$(id -u)" != 0 ]; then
  # Rootless podman needs subordinate ids; the scripts were written and measured as root.
  grep -q "^$(id -un):" /etc/subuid 2>/dev/null || {
    echo "Cannot build the image here: rootless podman needs an entry for $(id -un) in /etc/subuid."
    exit 3
  }
fi
if ! problem="$(podman info --format '{{.Host.OCIRuntime.Name}}' 2>&1)"; then
  echo "Cannot build the image here: podman does not start on this machine:"
  echo "$problem" | tail -5
  exit 3
fi
