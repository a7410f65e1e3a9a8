#!/usr/bin/env bash
# The local base image, for a machine that reaches Debian's mirror but no container registry:
# a minimal Debian root file system (python3.11 with venv, ca-certificates, tzdata, passwd, and
# libstdc++6 for the numerical wheels, as in the official python:3.11-slim image) built by mmdebstrap,
# imported into podman as $BASE_IMAGE (localhost/kpibot-base:bookworm).
#
# Kept between runs: reused when podman already has it, else imported from the cached tarball, else
# built (about 3 minutes). Rebuilt afresh, with Debian's latest security updates, when the cached one
# is older than 30 days (KPIBOT_BASE_MAX_AGE_DAYS) or with `--rebuild`.
# The Debian package versions used are recorded beside the tarball and inside the image at
# /usr/share/kpibot-base/packages.txt (`podman run --rm localhost/kpibot-base:bookworm cat ...`).
# Exit 3: podman cannot run a container on this machine (callers skip).
set -euo pipefail
source "$(dirname "$0")/container-env.sh"
rebuild=no
[ "${1:-}" = --rebuild ] && rebuild=yes
MIRROR="${KPIBOT_DEBIAN_MIRROR:-http://deb.debian.org/debian}"
SECURITY="${KPIBOT_DEBIAN_SECURITY:-http://deb.debian.org/debian-security}"
tarball="$CACHE/base-$SUITE.tar"
manifest="$CACHE/base-$SUITE.packages.txt"
mkdir -p "$CACHE"
if [ -s "$tarball" ] && [ -n "$(find "$tarball" -mtime "+${KPIBOT_BASE_MAX_AGE_DAYS:-30}")" ]; then
  echo "The cached base is older than ${KPIBOT_BASE_MAX_AGE_DAYS:-30} days: rebuilding it for Debian's updates."
  rebuild=yes
fi

if [ $rebuild = no ] && podman image exists "$BASE_IMAGE"; then
  echo "Base image $BASE_IMAGE: already there."
else
  if [ $rebuild = yes ] || [ ! -s "$tarball" ]; then
    echo "Building the base root file system from Debian $SUITE with mmdebstrap..."
    started=$SECONDS
    rm -rf "$CACHE/base-$SUITE.new.tar"
    # Essential packages plus what the image needs; no documentation or translations.
    mmdebstrap --quiet --variant=essential \
      --include=passwd,python3.11,python3.11-venv,ca-certificates,tzdata,libstdc++6 \
      --dpkgopt='path-exclude=/usr/share/man/*' \
      --dpkgopt='path-exclude=/usr/share/doc/*' \
      --dpkgopt='path-include=/usr/share/doc/*/copyright' \
      --dpkgopt='path-exclude=/usr/share/locale/*' \
      --dpkgopt='path-exclude=/usr/share/info/*' \
      --customize-hook='mkdir -p "$1/usr/share/kpibot-base"' \
      --customize-hook='chroot "$1" dpkg-query -W -f="\${Package}\t\${Version}\n" > "$1/usr/share/kpibot-base/packages.txt"' \
      --customize-hook='echo "Debian '"$SUITE"' from '"$MIRROR"', built $(date -u +%Y-%m-%dT%H:%M:%SZ)" > "$1/usr/share/kpibot-base/built.txt"' \
      --customize-hook="copy-out /usr/share/kpibot-base/packages.txt $CACHE/" \
      "$SUITE" "$CACHE/base-$SUITE.new.tar" \
      "deb $MIRROR $SUITE main" \
      "deb $MIRROR $SUITE-updates main" \
      "deb $SECURITY $SUITE-security main"
    mv "$CACHE/packages.txt" "$manifest"
    mv "$CACHE/base-$SUITE.new.tar" "$tarball"
    echo "Base root file system built in $((SECONDS - started)) s: $(wc -l < "$manifest") Debian packages," \
         "versions in $manifest"
  fi
  podman rmi --force "$BASE_IMAGE" >/dev/null 2>&1 || true
  podman import --quiet \
    --change 'ENV PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' \
    --change 'ENV LANG=C.UTF-8' \
    --change 'CMD ["/bin/bash"]' \
    --message "kpibot base: Debian $SUITE (mmdebstrap)" \
    "$tarball" "$BASE_IMAGE" >/dev/null
  echo "Base image $BASE_IMAGE imported from $tarball."
fi

if ! problem="$(podman run --rm --network none "$BASE_IMAGE" python3.11 -c 'print("ok")' 2>&1)"; then
  echo "Cannot run containers here: podman could not start one from $BASE_IMAGE:"
  echo "$problem" | tail -5
  exit 3
fi
