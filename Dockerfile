# The bindy-loadtest CLI as a container image: what `burst --shards N --target cluster` runs in
# each pod of its Indexed Job (`burst-shard --spec-configmap NAMESPACE/NAME`), what `bind query`
# and `bind resperf` on a cluster run next to BIND9 (the same command; dnsperf and resperf from
# Debian's package), and a way to run any other command in a cluster. Build from the repository's root (docs/cluster.md):
#   docker build -t REGISTRY/bindy-loadtest:TAG . && docker push REGISTRY/bindy-loadtest:TAG

# Build stage: the TypeScript compiled to dist/ (dev dependencies stay here).
FROM node:20-bookworm-slim AS build
WORKDIR /app
COPY package.json package-lock.json tsconfig.json tsconfig.build.json ./
# --ignore-scripts: `prepare` compiles, and the sources are not copied yet.
RUN npm ci --ignore-scripts
COPY src ./src
RUN npx tsc -p tsconfig.build.json

# Runtime stage: production dependencies, dist/, the launcher and the schemas.
FROM node:20-bookworm-slim
ENV NODE_ENV=production
# dnsperf and resperf: the DNS engines of an in-cluster `bind query` / `bind resperf`.
RUN apt-get update && apt-get install -y --no-install-recommends dnsperf && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
RUN npm ci --omit=dev --ignore-scripts && npm cache clean --force
COPY --from=build /app/dist ./dist
COPY bin ./bin
COPY schemas ./schemas
# Numeric: a pod with runAsNonRoot (the shard Job's) can only verify a numeric user (1000 is the image's `node`).
USER 1000:1000
# The launcher's V8 flags (bin/bindy-loadtest.js's shebang) given explicitly: the shebang is not read when node runs the file.
ENTRYPOINT ["node", "--max-semi-space-size=4", "--optimize-for-size", "/app/bin/bindy-loadtest.js"]
CMD ["--help"]
