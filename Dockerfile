# CSE Monitor: the web application under gunicorn, static files served by whitenoise.
# Build: docker build -t cse-monitor .   (docker-compose.yml builds it for you)
FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_ENV=production

# WeasyPrint needs Pango/HarfBuzz and fonts; pg_dump/psql for backups; gettext for the catalogue.
RUN apt-get update \
    && apt-get install -y --no-install-recommends \
        libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz0b fonts-dejavu-core \
        postgresql-client gettext curl \
    && rm -rf /var/lib/apt/lists/*

RUN groupadd --system cse && useradd --system --gid cse --home-dir /app --shell /usr/sbin/nologin cse

WORKDIR /app
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=cse:cse . .

# collectstatic needs settings that import cleanly; the real SECRET_KEY comes at run time.
RUN SECRET_KEY=build-only-not-secret python manage.py collectstatic --noinput -v0 \
    && (python manage.py compilemessages -v0 || true) \
    && mkdir -p /app/media /app/backups && chown -R cse:cse /app/media /app/backups /app/staticfiles

USER cse
EXPOSE 8000

# Liveness only: a database outage must not make the orchestrator kill healthy web containers.
HEALTHCHECK --interval=15s --timeout=3s --start-period=30s --retries=3 \
    CMD curl -fsS -H "Host: localhost" http://127.0.0.1:8000/healthz || exit 1

ENTRYPOINT ["/app/deploy/entrypoint.sh"]
CMD ["gunicorn", "--config", "/app/deploy/gunicorn.conf.py", "cse_monitor.wsgi:application"]
