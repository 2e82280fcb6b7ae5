# Descent in one container: Streamlit's documented Docker layout on the slim official
# Python image, run by a non-root user. Build and run from the repository root:
#   docker build -t descent .
#   docker run -p 8501:8501 descent                                  # http://localhost:8501
#   docker run -p 8080:8080 -e PORT=8080 -e BASE_PATH=/descent descent  # .../descent/
# Several replicas behind HAProxy: deploy/compose.yaml (deploy/README.md).
FROM python:3.11-slim

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PORT=8501 \
    BASE_PATH=""

WORKDIR /app

# The dependencies first: this layer is rebuilt only when requirements.txt changes.
COPY requirements.txt .
RUN pip install -r requirements.txt

# Link previews (which read the page without running it) say "Descent", not "Streamlit".
COPY deploy/link_preview.py /tmp/link_preview.py
RUN python /tmp/link_preview.py && rm /tmp/link_preview.py

# The app (.dockerignore leaves out tests, benchmarks, docs, deploy/ and caches), and the
# user that runs it: it owns nothing in /app, so it cannot change the app.
COPY . .
RUN useradd --create-home --uid 10001 descent
USER descent

EXPOSE 8501
# /_stcore/health answers "ok" once the server runs; under a base path it lives below it.
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
    CMD python -c "import os, urllib.request as u; b = ('/' + os.environ['BASE_PATH'].strip('/')).rstrip('/'); u.urlopen('http://127.0.0.1:%s%s/_stcore/health' % (os.environ['PORT'], b), timeout=2)"

# Shell form with exec: PORT and BASE_PATH are read when the container starts, and
# Streamlit replaces the shell as PID 1 (so `docker stop` reaches it). The rest of the
# production settings are in .streamlit/config.toml. Replicas behind a proxy also need
# STREAMLIT_SERVER_COOKIE_SECRET and STREAMLIT_RUNNER_CACHE_HASH_SEED (deploy/README.md).
CMD exec python -m streamlit run app.py --server.address 0.0.0.0 --server.port "$PORT" \
    --server.baseUrlPath "$BASE_PATH" --server.headless true \
    --browser.gatherUsageStats false --server.fileWatcherType none
