# syntax=docker/dockerfile:1.7
# cannon-aim: the aiming API as one uvicorn process, CPU-only torch, non-root.
#
#   docker build -t cannon-aim .                    # torch from the PyTorch CPU index
#   podman build --format docker --network host \
#     --build-arg BASE_IMAGE=localhost/debian-python:bookworm \
#     --build-arg TORCH_INDEX_URL= --build-context wheels=/opt/wheels \
#     --secret id=pip_cert,src=/etc/ssl/certs/ca-certificates.crt -t cannon-aim .
#
# deploy/README.md explains the arguments. The base image must provide python3 (3.11+) with
# the venv module; the builder and the runtime stage use the same one, so the venv's
# interpreter link stays valid.
ARG BASE_IMAGE=python:3.11-slim

# Local wheels pip may take torch from (--build-context wheels=DIR); empty by default.
FROM scratch AS wheels

FROM ${BASE_IMAGE} AS builder
# Where pip finds the CPU build of torch; empty when the wheels context provides it.
ARG TORCH_INDEX_URL=https://download.pytorch.org/whl/cpu
ENV PIP_NO_CACHE_DIR=1 \
    PIP_DISABLE_PIP_VERSION_CHECK=1 \
    PYTHONDONTWRITEBYTECODE=1
RUN python3 -m venv /opt/venv
WORKDIR /src
COPY pyproject.toml README.md ./
COPY app ./app
COPY clients/python/cannon_client ./clients/python/cannon_client
# Readable by the runtime user whatever the modes in the build context.
COPY models ./models
RUN chmod -R a+rX,go-w models app clients
# One pip run installs the pinned CPU torch and the project (non-editable) into the venv; the
# models go in with it (package data), so the image needs no path settings for them.
# An optional build secret pip_cert is a CA bundle for networks that intercept TLS.
# Then strip what the runtime never needs: C headers, CMake files, pip itself, test suites.
RUN --mount=type=bind,from=wheels,target=/wheels \
    --mount=type=secret,id=pip_cert,required=false \
    set -eu; \
    if [ -s /run/secrets/pip_cert ]; then export PIP_CERT=/run/secrets/pip_cert; fi; \
    /opt/venv/bin/pip install --find-links /wheels \
        ${TORCH_INDEX_URL:+--extra-index-url "$TORCH_INDEX_URL"} . ; \
    /opt/venv/bin/pip uninstall -y pip; \
    site=$(echo /opt/venv/lib/python3*/site-packages); \
    rm -rf "$site"/torch/include "$site"/torch/share/cmake "$site"/torch/test \
        "$site"/torch/bin/test_* "$site"/torch/bin/*Test "$site"/torch/bin/protoc* \
        "$site"/torch/testing/_internal/generated "$site"/numpy/_core/include \
        "$site"/numpy/_core/tests "$site"/numpy/tests "$site"/numpy/*/tests

FROM ${BASE_IMAGE} AS runtime
LABEL org.opencontainers.image.title="cannon-aim" \
      org.opencontainers.image.description="Aiming API: inverse network proposes, float64 physics verifies and refines" \
      org.opencontainers.image.version="0.1.0"
RUN groupadd --gid 10001 cannon \
    && useradd --uid 10001 --gid 10001 --no-create-home --shell /usr/sbin/nologin cannon
COPY --from=builder /opt/venv /opt/venv
WORKDIR /app
# The settings a container needs; everything else keeps its CANNON_* default and can be set
# at run time (docker run -e, compose environment, the Deployment's env).
ENV PATH=/opt/venv/bin:$PATH \
    PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    CANNON_HOST=0.0.0.0 \
    CANNON_PORT=8000 \
    CANNON_TORCH_THREADS=1 \
    NUMBA_CACHE_DIR=/opt/numba-cache
# Compile the serving physics (app/physics/kernel/, numba) into its cache now, in this stage: numba
# trusts a cache only beside sources with the mtimes it was made from, which a copy between
# stages need not keep. A server then starts without compiling (benchmarks/startup.py
# measures both ways); on another CPU model numba compiles once at start. Read-only at run
# time: the kernel copies the cache to /tmp first (app/physics/kernel/flight.py).
RUN python -m app.physics.kernel
USER 10001:10001
EXPOSE 8000
# Without curl: the venv's python asks /readyz, as Kubernetes' readiness probe does, so a
# draining or unfit container is not called healthy.
HEALTHCHECK --interval=10s --timeout=3s --start-period=20s --retries=3 \
    CMD ["python3", "-c", "import os, urllib.request; urllib.request.urlopen('http://127.0.0.1:%s/readyz' % os.environ.get('CANNON_PORT', '8000'), timeout=2)"]
# `cannon serve`: checks the models (sha256, then the self-check) before it listens, then runs
# one uvicorn process on CANNON_HOST:CANNON_PORT; on SIGTERM it drains and exits 0 within
# CANNON_DRAIN_SECONDS + CANNON_SHUTDOWN_GRACE.
CMD ["cannon", "serve"]
