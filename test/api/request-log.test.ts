// Logs a person can read: probes and scrapes (/healthz, /readyz, /metrics) must not write info
// lines (fastify used to write two per request, burying the start-up line). A real listener, real
// HTTP requests, the pino output captured line by line.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { createMetricsRegistry, startHttpServer } from '../../api/index.js';

interface LogLine {
  level: number;
  msg: string;
  url?: string;
  statusCode?: number;
}

function captureLogger(level: 'info' | 'debug') {
  const lines: LogLine[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      for (const text of chunk.toString().split('\n')) {
        if (text.trim() !== '') lines.push(JSON.parse(text) as LogLine);
      }
      done();
    },
  });
  return { logger: pino({ level }, stream), lines };
}

const infoLevel = 30;
const debugLevel = 20;

async function start(level: 'info' | 'debug') {
  const capture = captureLogger(level);
  const server = await startHttpServer(
    { host: '127.0.0.1', port: 0, logger: capture.logger },
    { metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }) },
  );
  return { ...capture, ...server };
}

async function hit(url: string, paths: readonly string[]) {
  for (const path of paths) {
    const response = await fetch(`${url}${path}`);
    await response.text();
  }
}

describe('HTTP request logs', () => {
  let info: Awaited<ReturnType<typeof start>>;
  let debug: Awaited<ReturnType<typeof start>>;
  before(async () => {
    info = await start('info');
    debug = await start('debug');
  });
  after(async () => {
    const close = (i: FastifyInstance) => i.close();
    await Promise.all([close(info.instance), close(debug.instance)]);
  });

  it('writes no info line for /healthz, /readyz and /metrics, one line for any other request', async () => {
    const startLines = info.lines.length;
    await hit(info.url, ['/healthz', '/healthz', '/readyz', '/metrics', '/metrics?x=1']);
    const afterProbes = info.lines.slice(startLines);
    assert.deepEqual(
      afterProbes.map((l) => `${l.level} ${l.msg}`),
      [],
      'five probe requests log nothing at info',
    );
    await hit(info.url, ['/api/v1/no-such-route']);
    const requestLines = info.lines.slice(startLines);
    assert.equal(requestLines.length, 1, JSON.stringify(requestLines));
    assert.equal(requestLines[0]?.level, infoLevel);
    assert.equal(requestLines[0]?.url, '/api/v1/no-such-route');
    assert.equal(requestLines[0]?.statusCode, 404);
  });

  it('still shows the probes at debug, one line each', async () => {
    const startLines = debug.lines.length;
    await hit(debug.url, ['/healthz', '/metrics']);
    const lines = debug.lines.slice(startLines);
    assert.deepEqual(
      lines.map((l) => [l.level, l.msg, l.url]),
      [
        [debugLevel, 'probe', '/healthz'],
        [debugLevel, 'probe', '/metrics'],
      ],
    );
  });
});
