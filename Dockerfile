# The Stagecoach worker. Build: docker build -t stagecoach-worker .
FROM node:20-bookworm-slim AS build
WORKDIR /app
RUN apt-get update && apt-get install -y --no-install-recommends python3 make g++ \
    && rm -rf /var/lib/apt/lists/*
COPY package.json package-lock.json .npmrc ./
RUN npm ci --no-audit --no-fund
COPY . .
RUN npx tsx worker/build-workflow-bundle.ts && npm prune --omit=dev

FROM node:20-bookworm-slim
# pg_dump/pg_restore for PostgreSQL tenant databases.
RUN apt-get update && apt-get install -y --no-install-recommends postgresql-client \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY --from=build /app /app
USER node
CMD ["node_modules/.bin/tsx", "worker/main.ts"]
