# The bot in a slim image: non-root, data on a volume, token from the environment.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    DATA_DIR=/app/data \
    CONFIG_DIR=/app/config

WORKDIR /app
# A font with Chinese glyphs for the report chart (core/reports/chart.py); the smallest adequate one.
RUN apt-get update \
    && apt-get install -y --no-install-recommends fonts-wqy-microhei \
    && rm -rf /var/lib/apt/lists/*
COPY requirements.txt .
RUN pip install --no-cache-dir -r requirements.txt

COPY bot.py cli.py ./
COPY core ./core
COPY handlers ./handlers
# The YAML lives apart from the code and belongs to the bot: admins may /reload it or send
# new files in the chat. Mount a volume on /app/config to keep those across containers.
COPY schedules.yaml ./config/
COPY quizzes ./config/quizzes

RUN useradd --create-home --uid 10001 bot \
    && mkdir -p /app/data \
    && chown -R bot:bot /app/data /app/config
USER bot
VOLUME ["/app/data"]

# BOT_TOKEN (required), BOT_ADMINS, BOT_API_URL, BOT_TIMEZONE come from `docker run -e`.
CMD ["python", "bot.py"]
