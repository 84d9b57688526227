# Production image: gunicorn behind your TLS proxy, static files served by WhiteNoise.
# Build: docker build -t achilles-rehab .
# Run:   docker run -p 8000:8000 -e SECRET_KEY=... -e DATABASE_URL=postgres://... \
#          -e ALLOWED_HOSTS=rehab.example.org -e SITE_URL=https://rehab.example.org \
#          -e SECURE_PROXY_SSL_HEADER=1 achilles-rehab
FROM python:3.13-slim AS base

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1
# Production settings for every command in the container, manage.py included.
ENV DEBUG=0

RUN groupadd --system app && useradd --system --gid app --home-dir /app --shell /usr/sbin/nologin app
WORKDIR /app

COPY pyproject.toml README.md LICENSE ./
RUN pip install --upgrade pip && pip install .

COPY --chown=app:app . .

# collectstatic needs settings but no real secret or database.
RUN DEBUG=0 SECRET_KEY=collectstatic-only ALLOWED_HOSTS=localhost \
    python manage.py collectstatic --noinput \
    && python -m compileall -q config core clinic rehab audit notify

USER app
EXPOSE 8000

# Three process types run from this one image (the Procfile's, with production commands):
#   web        the default CMD below (gunicorn; migrates first)
#   worker     docker run ... achilles-rehab python manage.py db_worker --queue-name '*'
#              (background jobs: alert and reminder emails, web push; run one or more)
#   scheduler  docker run ... achilles-rehab python manage.py run_scheduler
#              (enqueues the periodic job each minute; one is enough, two are harmless)
# All three need the same environment (DATABASE_URL, SECRET_KEY, EMAIL_*, VAPID_*, SITE_URL).
# 2 x cores + 1 single-thread (sync) workers: 5 on 2 cores, 33 on 16 (README, Performance).
# Sync workers need the buffering TLS proxy in front (slow clients, keep-alive).
CMD ["sh", "-c", "python manage.py migrate --noinput && exec gunicorn config.wsgi:application --bind 0.0.0.0:8000 --workers ${GUNICORN_WORKERS:-5} --threads ${GUNICORN_THREADS:-1} --access-logfile - --forwarded-allow-ips='*'"]
