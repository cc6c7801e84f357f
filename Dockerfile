FROM python:3.11-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1

WORKDIR /app
RUN apt-get update \
    && apt-get install -y --no-install-recommends gettext postgresql-client \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --home /app hrprogram
COPY requirements.txt .
RUN pip install -r requirements.txt

COPY --chown=hrprogram:hrprogram . .
USER hrprogram
# The static files are collected at build time under production settings (the deploy check in
# tests/test_deploy_stack.py runs this very line).
RUN DEBUG=0 SECRET_KEY=collectstatic-only PARTICIPANT_CODE_SECRET=collectstatic-only REPORT_DISCLOSURE_KEY=collectstatic-only ALLOWED_HOSTS=localhost python manage.py collectstatic --no-input

EXPOSE 8000
# The web process and its database; docker-compose.yml gives the worker and beat their own.
HEALTHCHECK --interval=30s --timeout=10s --start-period=30s --retries=3 \
    CMD ["python", "scripts/healthcheck.py", "http://127.0.0.1:8000/healthz?part=web"]
CMD ["gunicorn", "hrprogram.wsgi:application", "--bind", "0.0.0.0:8000", "--workers", "3"]
