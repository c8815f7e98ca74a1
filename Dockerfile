# syntax=docker/dockerfile:1
#
# rxflume agent image.
#
#   docker build -t rxflume:0.1.0 .
#   docker run --rm -p 9464:9464 -v rxflume-data:/data rxflume:0.1.0
#
# Two stages: `build` compiles the TypeScript with the dev dependencies; `runtime` holds only the
# production dependencies, dist/, bin/, schemas/ and the default config. The runtime runs as the
# numeric non-root user 1000 (a numeric USER lets Kubernetes' runAsNonRoot verify it), under
# tini as PID 1, so SIGTERM reaches node, which drains (acknowledges, writes checkpoints) and
# exits 0.
#
# Paths: /config holds the config (the image ships config/smartcar.yaml there; mount your own
# over it), /data holds everything the agent writes (RXFLUME_DATA: spool folder, followed log,
# local HDFS layout, checkpoints, dead letters). Nothing else is written, so the root file system
# can be read-only.
#
# test/deploy/image.test.ts replays this file's stages outside Docker (it parses the
# instructions; test/deploy/dockerfile.ts refuses what it cannot replay): keep to FROM, WORKDIR,
# COPY, RUN, ENV, USER (numeric), VOLUME, EXPOSE, LABEL, and HEALTHCHECK, ENTRYPOINT and CMD in
# JSON form; no ARG or variable expansion; apt-get only for tini (the replay cannot install it).

FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json ./
# --ignore-scripts: the root `prepare` script (tsc) would run before the sources are copied;
# no dependency needs an install script (snappy ships prebuilt per-platform packages).
RUN --mount=type=cache,target=/root/.npm npm ci --ignore-scripts --no-audit --no-fund
COPY tsconfig.json ./
COPY src ./src
RUN npm run build

FROM node:20-bookworm-slim AS runtime
RUN apt-get update \
 && apt-get install -y --no-install-recommends tini \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
ENV NODE_ENV=production \
    RXFLUME_DATA=/data
COPY package.json package-lock.json ./
RUN --mount=type=cache,target=/root/.npm npm ci --omit=dev --ignore-scripts --no-audit --no-fund
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
COPY config ./config
COPY config /config
RUN mkdir -p /data && chown 1000:1000 /data
VOLUME ["/config", "/data"]
USER 1000:1000
EXPOSE 9464

LABEL org.opencontainers.image.title="rxflume" \
      org.opencontainers.image.description="Data-collection agent: spooling directories and followed files to HDFS layouts and Kafka, at-least-once, with checkpoints and Prometheus metrics." \
      org.opencontainers.image.version="0.1.0" \
      org.opencontainers.image.licenses="Apache-2.0" \
      org.opencontainers.image.base.name="docker.io/library/node:20-bookworm-slim"

# Liveness only (the process serves HTTP); readiness (/readyz) belongs to the orchestrator.
# No curl in the slim image: node's http client does it.
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["node", "-e", "require('node:http').get('http://127.0.0.1:9464/healthz', (r) => process.exit(r.statusCode === 200 ? 0 : 1)).on('error', () => process.exit(1))"]

ENTRYPOINT ["/usr/bin/tini", "--", "node", "/app/bin/rxflume.js"]
# Metrics must listen on all interfaces inside a container (the config default is 127.0.0.1).
CMD ["run", "-c", "/config/smartcar.yaml", "--metrics-address", "0.0.0.0:9464"]
