# syntax=docker/dockerfile:1
# Aura's production image: compiled JavaScript on Node 20, production dependencies only, a
# non-root user, node as the container's main process (signals reach it directly).
#
#   docker build -t aura .
#   docker run --env-file aura.env aura                                         # HTTP (AURA_ROLE=http)
#   docker run --env-file aura.env aura node apps/worker/dist/main.js          # a worker
#   docker run --env-file aura.env aura node packages/adapters/dist/platform/cli/migrate.js
#
# compose.yaml runs the whole topology. The environment variables are in docs/configuration.md.

# ── build: every dependency, then tsc to dist/ ────────────────────────────────────────────────
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/domain/package.json packages/domain/
COPY packages/application/package.json packages/application/
COPY packages/adapters/package.json packages/adapters/
COPY apps/worker/package.json apps/worker/
COPY apps/http/package.json apps/http/
RUN npm ci --no-audit --no-fund
COPY tsconfig.base.json tsconfig.build.json ./
COPY packages packages
COPY apps apps
RUN npm run build

# ── runtime: production dependencies and the compiled packages ──────────────────────────────
FROM node:20-bookworm-slim AS runtime
ENV NODE_ENV=production \
    AURA_ROLE=http \
    HOST=0.0.0.0 \
    PORT=3000
WORKDIR /app
COPY package.json package-lock.json .npmrc ./
COPY packages/domain/package.json packages/domain/
COPY packages/application/package.json packages/application/
COPY packages/adapters/package.json packages/adapters/
COPY apps/worker/package.json apps/worker/
COPY apps/http/package.json apps/http/
RUN npm ci --omit=dev --no-audit --no-fund && npm cache clean --force
COPY --from=build /app/packages/domain/dist packages/domain/dist
COPY --from=build /app/packages/application/dist packages/application/dist
COPY --from=build /app/packages/adapters/dist packages/adapters/dist
COPY --from=build /app/apps/worker/dist apps/worker/dist
COPY --from=build /app/apps/http/dist apps/http/dist
# The node image's unprivileged user; nothing in /app is writable by it (no embedded data dir).
USER node
EXPOSE 3000
HEALTHCHECK --interval=10s --timeout=3s --start-period=30s --retries=3 \
  CMD ["node", "-e", "fetch('http://127.0.0.1:' + (process.env.PORT || 3000) + '/health/ready').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))"]
CMD ["node", "apps/http/dist/main.js"]
