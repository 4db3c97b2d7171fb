# syntax=docker/dockerfile:1
# ERP Portal image: web (gunicorn), Celery worker and beat all run from it (docker-compose.yml).
FROM python:3.11-slim

# The code runs in place from /app (PYTHONPATH): settings find templates/, static/ and var/
# next to manage.py.
ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONPATH=/app \
    ERP_PORTAL_VAR_DIR=/app/var \
    DJANGO_SETTINGS_MODULE=erp_portal.settings

WORKDIR /app

RUN groupadd --system --gid 10001 app \
    && useradd --system --uid 10001 --gid app --home-dir /app --no-create-home \
        --shell /usr/sbin/nologin app

# Pango (with its fonts) is what WeasyPrint lays the reports' PDFs out with.
RUN apt-get update -qq \
    && apt-get install -y -qq --no-install-recommends libpango-1.0-0 libpangoft2-1.0-0 fonts-dejavu-core \
    && rm -rf /var/lib/apt/lists/*

# Dependencies first, in their own layer: only pyproject.toml and the lock file decide it.
# This installs exactly what `pip install -c requirements/lock.txt .` would, without the
# project itself (the code is used in place from /app, see PYTHONPATH).
COPY pyproject.toml ./
COPY requirements/lock.txt requirements/lock.txt
RUN python -c "import tomllib; print('\n'.join(tomllib.load(open('pyproject.toml', 'rb'))['project']['dependencies']))" \
        > /tmp/requirements.txt \
    && pip install -c requirements/lock.txt -r /tmp/requirements.txt \
    && rm /tmp/requirements.txt

COPY . .

# Static files are collected at build time with a throwaway key (nothing is signed during
# collectstatic); the real DJANGO_SECRET_KEY comes from the environment at run time.
RUN DJANGO_DEBUG=0 DJANGO_SECRET_KEY=build-only-not-a-secret python manage.py collectstatic --noinput \
    && python -m compileall -q erp_portal integrations permissions approvals connectors \
    && mkdir -p /app/var/run \
    && chown -R app:app /app/var

USER app

EXPOSE 8000

# Behind a TLS-terminating proxy: the request is marked as https so that SECURE_SSL_REDIRECT
# (on in production) does not answer the probe with a redirect.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "-c", "import urllib.request as u; u.urlopen(u.Request('http://127.0.0.1:8000/healthz', headers={'X-Forwarded-Proto': 'https'}), timeout=8)"]

CMD ["gunicorn", "erp_portal.wsgi:application", "--bind", "0.0.0.0:8000", "--access-logfile", "-", "--no-control-socket"]
