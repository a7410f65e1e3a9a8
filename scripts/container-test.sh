#!/usr/bin/env bash
# `make container-test` (CI runs it after `make test`): builds the local base (cached between runs) and
# the image, checks compose.yaml, then runs tests/container/test_image.py against the image: the sample
# council loaded, a signed /kpi answered from a Slack stub on the host, /readyz 200, the HEALTHCHECK,
# a non-root user, and `podman stop` (SIGTERM) done in under 3 s with exit code 0.
# Where this machine cannot run podman at all, it says why and skips (exit 0).
set -euo pipefail
source "$(dirname "$0")/container-env.sh"
cd "$ROOT"
skip() { echo "SKIPPED container smoke test: $1"; exit 0; }

started=$SECONDS
set +e
reason="$(bash scripts/container-setup.sh 2>&1)"; status=$?
set -e
echo "$reason" | grep -v '^$' || true
[ $status = 3 ] && skip "this machine cannot run podman (above)"
[ $status = 0 ] || exit $status

t=$SECONDS
set +e
bash scripts/container-base.sh; status=$?
set -e
[ $status = 3 ] && skip "podman cannot run a container on this machine (above)"
[ $status = 0 ] || exit $status
base_seconds=$((SECONDS - t))

t=$SECONDS
bash scripts/container-build.sh --quiet >/dev/null
build_seconds=$((SECONDS - t))
size=$(podman image inspect --format '{{.Size}}' "$IMAGE")

# compose.yaml cannot be brought up here (its images are a registry's): its YAML and shape are checked.
/usr/bin/python3 scripts/check-compose.py

t=$SECONDS
set +e
KPIBOT_IMAGE_UNDER_TEST="$IMAGE" .venv/bin/python -m pytest tests/container/test_image.py -p no:xdist -q
status=$?
set -e
echo "container-test: base ${base_seconds} s, image build ${build_seconds} s, image $IMAGE" \
     "$((size / 1000000)) MB, smoke test $((SECONDS - t)) s, all $((SECONDS - started)) s."
exit $status
