# kpibot in a container: `kpibot serve` (Slack over HTTP on $PORT, or Socket Mode with SLACK_APP_TOKEN).
# Point DATABASE_URL at PostgreSQL for a real deployment; the default SQLite file lives in /data.
#
# BASE is any Debian-style image with python3.11 and its venv module. By default it is the local base
# that scripts/container-base.sh builds from Debian's mirror (no registry needed). With a registry, pin
# the official image by digest, e.g.:
#   docker build --build-arg BASE=python:3.11-slim-bookworm@sha256:<digest> -t kpibot .
# Dependencies come only from requirements.lock (exact versions, hashes checked; `make lock` refreshes it).
ARG BASE=localhost/kpibot-base:bookworm

FROM ${BASE} AS build
# A CA bundle for reaching the package index through a TLS-inspecting proxy, mounted for the build only
# (scripts/container-build.sh passes the host's); never copied into the image.
ARG BUILD_CA=
ENV PIP_NO_CACHE_DIR=1 PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_INPUT=1 PIP_ROOT_USER_ACTION=ignore
WORKDIR /src
COPY requirements.lock ./
RUN if [ -n "$BUILD_CA" ]; then export PIP_CERT="$BUILD_CA"; fi \
 && python3.11 -m venv /opt/kpibot \
 && /opt/kpibot/bin/pip install --require-hashes --only-binary=:all: --no-deps -r requirements.lock
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scorecard ./scorecard
COPY data ./data
# The project itself, without resolving anything; `pip check` fails the build if the lock misses one
# of pyproject's dependencies, and the imports fail it if the base lacks a library a wheel needs.
RUN /opt/kpibot/bin/pip install --no-deps --no-build-isolation . \
 && /opt/kpibot/bin/pip check \
 && cd / && /opt/kpibot/bin/python -c 'import bot.cli, pandas, pyarrow, matplotlib.pyplot, psycopg, rapidfuzz' \
 && ln -s "$(/opt/kpibot/bin/python -c 'from bot.runtime import SAMPLE_COUNCIL; print(SAMPLE_COUNCIL)')" \
      /opt/kpibot/sample

FROM ${BASE}
ENV PATH=/opt/kpibot/bin:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    LANG=C.UTF-8 \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    HOME=/home/kpibot \
    DATABASE_URL=sqlite:////data/kpibot.sqlite \
    PORT=3000
RUN groupadd --gid 10001 kpibot \
 && useradd --uid 10001 --gid 10001 --create-home --home-dir /home/kpibot --shell /usr/sbin/nologin kpibot \
 && mkdir /data && chown 10001:10001 /data
COPY --from=build /opt/kpibot /opt/kpibot
WORKDIR /home/kpibot

USER 10001:10001
VOLUME ["/data"]
EXPOSE 3000
# Ready: the process answers and so does its store (503 otherwise, and urlopen raises).
HEALTHCHECK --interval=15s --timeout=5s --start-period=30s --retries=3 \
  CMD ["python", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('PORT', '3000'), timeout=4)"]
STOPSIGNAL SIGTERM
CMD ["kpibot", "serve"]
