# Cartera: one image for web (gunicorn), Celery worker and Celery beat.
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    DJANGO_SETTINGS_MODULE=config.settings.production

# gettext compiles the Spanish/English catalogues; nothing else is needed at run time
# (psycopg2-binary bundles libpq).
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext \
    && rm -rf /var/lib/apt/lists/*

WORKDIR /app
# Runtime packages only, at the locked versions (the tools are in requirements-dev.lock).
COPY requirements.lock .
RUN pip install -r requirements.lock

RUN groupadd --system --gid 1000 cartera \
    && useradd --system --uid 1000 --gid cartera --create-home cartera
COPY --chown=cartera:cartera . .
# compilemessages reads no secret: the development settings, since production's refuse to load
# without the deployment's own (config/checks.py).
RUN mkdir -p var/media staticfiles \
    && DJANGO_SETTINGS_MODULE=config.settings.local python manage.py compilemessages \
    && chown -R cartera:cartera var staticfiles locale

USER cartera
EXPOSE 8000
CMD ["gunicorn", "config.wsgi", "--bind", "0.0.0.0:8000", "--workers", "3", "--access-logfile", "-"]
