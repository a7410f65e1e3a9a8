# kpibot in a container: `kpibot serve` (Slack over HTTP on $PORT, or Socket Mode with SLACK_APP_TOKEN).
# Point DATABASE_URL at PostgreSQL for a real deployment; the default SQLite file lives in /data.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    DATABASE_URL=sqlite:////data/kpibot.sqlite \
    PORT=3000

RUN useradd --create-home --uid 10001 kpibot && mkdir /data && chown kpibot /data
WORKDIR /app
COPY pyproject.toml README.md ./
COPY bot ./bot
COPY handlers ./handlers
COPY scorecard ./scorecard
COPY data ./data
RUN pip install .

USER kpibot
VOLUME ["/data"]
EXPOSE 3000
HEALTHCHECK --interval=30s --timeout=5s CMD python -c "import urllib.request,os; urllib.request.urlopen(f'http://127.0.0.1:{os.environ[\"PORT\"]}/healthz')"
CMD ["kpibot", "serve"]
