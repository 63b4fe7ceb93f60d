# The hub with the example modules (docs/deployment.md).
#
# builder: wheels of the core and of every example module in plugins/ (local packages,
#          not on an index), built with the hash-pinned build backend.
# runtime: the pinned third-party set (requirements/hub.txt, every file hash-checked),
#          then those wheels without dependency resolution, run as an unprivileged user.
#
# Needs BuildKit (the default builder of Docker 23+) or Buildah/Podman for the
# `RUN --mount` lines.
ARG PYTHON_IMAGE=python:3.11-slim

FROM ${PYTHON_IMAGE} AS builder
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1
WORKDIR /src
COPY requirements/build.txt requirements/build.txt
RUN pip install --require-hashes --no-deps -r requirements/build.txt
COPY pyproject.toml README.md CHANGELOG.md ./
COPY src ./src
COPY cookiecutter-bmc-module ./cookiecutter-bmc-module
COPY plugins ./plugins
# One wheel per local project; --no-deps: their dependencies come from the pinned set.
RUN pip wheel --no-deps --no-build-isolation --wheel-dir /wheels . plugins/*/

FROM ${PYTHON_IMAGE} AS runtime
ENV PIP_DISABLE_PIP_VERSION_CHECK=1 PIP_NO_CACHE_DIR=1 PIP_ROOT_USER_ACTION=ignore \
    PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1
RUN --mount=type=bind,source=requirements/hub.txt,target=/tmp/hub.txt \
    pip install --require-hashes --no-deps -r /tmp/hub.txt
# --no-deps skips the resolver; `pip check` then proves every installed distribution's
# requirements are met, so a module that needs something the lock lacks fails the build.
RUN --mount=type=bind,from=builder,source=/wheels,target=/tmp/wheels \
    pip install --no-deps /tmp/wheels/*.whl && pip check

# The working directory is the hub's: `.env` is read from here, and the default SQLite
# database (when BMC_HUB_DATABASE_URL is unset) is created here.
RUN useradd --system --uid 10001 --user-group --home-dir /app --create-home \
    --shell /usr/sbin/nologin hub
WORKDIR /app
USER hub
EXPOSE 8000
CMD ["bmc-hub", "serve", "--host", "0.0.0.0", "--port", "8000", "--workers", "2"]
