#!/usr/bin/env bash
# `make lock`: requirements.lock, every runtime dependency of pyproject.toml (and its build backend)
# at one exact version with its hashes, for Python 3.11 on Linux. The image installs only from it
# (pip --require-hashes); two builds a month apart install the same files.
# The resolver is uv at a pinned version, installed into .venv. Run after changing pyproject.toml's
# dependencies, or to take newer releases; commit the result after `make test container-test`.
set -euo pipefail
cd "$(dirname "$0")/.."
UV_VERSION=0.13.9
uv=.venv/bin/uv
if [ "$("$uv" --version 2>/dev/null)" != "uv $UV_VERSION" ]; then
  .venv/bin/python -m pip install --quiet "uv==$UV_VERSION"
fi
build_requires="$(.venv/bin/python -c 'import tomllib; print("\n".join(tomllib.load(open("pyproject.toml", "rb"))["build-system"]["requires"]))')"
# --upgrade: newest versions the ranges allow; without it, the pins already in the lock are kept.
printf '%s\n' "$build_requires" | UV_CUSTOM_COMPILE_COMMAND="make lock" "$uv" pip compile \
  pyproject.toml - --generate-hashes --python-version 3.11 --python-platform linux \
  --no-annotate --quiet ${LOCK_UPGRADE:+--upgrade} --output-file requirements.lock
echo "requirements.lock: $(grep -c '^[a-z0-9]' requirements.lock) packages pinned with hashes."
