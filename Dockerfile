# syntax=docker/dockerfile:1
# The API Gateway + Lambda shim (`python -m emulator serve`) with the backend's handlers, for
# docker-compose.yml. Dependencies come from uv.lock exactly (--frozen: the lock is used as is,
# never re-resolved): the functions' runtime dependencies plus the "emulator" group, no dev tools.
FROM python:3.12-slim-bookworm

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    UV_PROJECT_ENVIRONMENT=/opt/venv \
    UV_PYTHON_DOWNLOADS=never \
    UV_COMPILE_BYTECODE=1 \
    UV_LINK_MODE=copy \
    PATH=/opt/venv/bin:$PATH

# The same uv as the Makefile's UV_VERSION and the dev group's pin.
RUN pip install --no-cache-dir --disable-pip-version-check uv==0.13.8

WORKDIR /app

# Dependencies first: this layer is rebuilt only when the lock changes, not on every code edit.
COPY pyproject.toml uv.lock ./
RUN uv sync --frozen --no-default-groups --group emulator --no-cache --python /usr/local/bin/python3.12

# Code owned by root and read-only for the service user: a handler cannot rewrite itself.
COPY template.yaml env.local.json ./
COPY emulator ./emulator
COPY backend ./backend

RUN useradd --system --uid 10001 --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin app
USER app

EXPOSE 3000
CMD ["python", "-m", "emulator", "serve", "--host", "0.0.0.0", "--port", "3000"]
