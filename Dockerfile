# pipewatch and the reference pipeline share this image; the command picks the role.
FROM node:20-bookworm-slim
RUN apt-get update \
 && apt-get install -y --no-install-recommends librdkafka1 python3 make g++ \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /app
COPY package.json package-lock.json ./
# npm install, not ci: the lock file records only this platform's optional native bindings.
RUN npm install --omit=dev --no-fund --no-audit && apt-get purge -y make g++ && apt-get autoremove -y
COPY . .
ENV PIPEWATCH_DATA_DIR=/var/lib/pipewatch
VOLUME /var/lib/pipewatch
EXPOSE 8080 8081
ENTRYPOINT ["node", "bin/pipewatch.js"]
CMD ["serve"]
