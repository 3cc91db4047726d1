# pipewatch and the reference pipeline share this image; the command picks the role.
# Base image pinned to an exact release tag (Node 20.20.2 on Debian bookworm). A digest pin
# (node@sha256:...) is stronger; it could not be looked up on the offline build machine, so
# add one with `docker buildx imagetools inspect node:20.20.2-bookworm-slim` where you can.
FROM node:20.20.2-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends librdkafka1 python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm ci: exactly the committed lock file (it lists every platform's optional bindings), no
# rewrite; better-sqlite3 may compile here, hence make and g++, removed afterwards.
RUN npm ci --omit=dev --no-fund --no-audit \
 && npm cache clean --force \
 && apt-get purge -y make g++ && apt-get autoremove -y
COPY . .
# Runs as the image's unprivileged `node` user (uid 1000); the code stays root-owned, read-only
# to it, and only the data directory is writable.
RUN mkdir -p /var/lib/pipewatch && chown node:node /var/lib/pipewatch
USER node
ENV PIPEWATCH_DATA_DIR=/var/lib/pipewatch
VOLUME /var/lib/pipewatch
EXPOSE 8080 8081
ENTRYPOINT ["node", "bin/pipewatch.js"]
CMD ["serve"]
