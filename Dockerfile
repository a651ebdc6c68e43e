# The bot in a slim image. Installed as root, run as the unprivileged user `bot`; data and
# the agency's config on volumes; the release's own YAML kept apart in /app/shipped and
# brought into /app/config at each start (core/config/shipped.py), so an upgrade adds new
# banks without undoing the agency's edits. See docs/deploy.md.
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/data \
    CONFIG_DIR=/app/config \
    BOT_SHIPPED_CONFIG_DIR=/app/shipped

WORKDIR /app
# A font with Chinese glyphs for the report chart (core/reports/chart.py); the smallest adequate one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
# requirements.txt pins every package: installed without resolving, then checked whole.
COPY requirements.txt .
RUN pip install --no-cache-dir --disable-pip-version-check --no-deps -r requirements.txt \
    && pip check

COPY bot.py cli.py ./
COPY core ./core
COPY handlers ./handlers
COPY schedules.yaml ./shipped/
COPY quizzes ./shipped/quizzes

RUN useradd --create-home --uid 10001 bot \
    && mkdir -p /app/data /app/config \
    && chown bot:bot /app/data /app/config
USER bot
VOLUME ["/app/data", "/app/config"]
# Webhook mode only (BOT_WEBHOOK_LISTEN=0.0.0.0:8080); long polling opens no port.
EXPOSE 8080

# Healthy while the scheduler's rounds keep coming (python bot.py health).
HEALTHCHECK --interval=60s --timeout=15s --start-period=90s --retries=3 \
    CMD ["python", "bot.py", "health"]
# BOT_TOKEN (required), BOT_ADMINS, BOT_PROXY, BOT_WEBHOOK_* ...: docs/deploy.md.
CMD ["python", "bot.py"]
