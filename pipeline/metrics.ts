import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { isPipewatchError } from '../common/index.js';

/** The Prometheus metrics of one pipeline process, in its own registry. */
export class PipelineMetrics {
  readonly registry = new Registry();
  readonly recordsIn: Counter<'role'>;
  readonly recordsOut: Counter<'role' | 'topic'>;
  readonly dlqRecords: Counter<'error_type'>;
  readonly faultsInjected: Counter<'fault'>;
  readonly batchDuration: Histogram<'role'>;
  readonly consumerUp: Gauge;
  readonly consumerFatalErrors: Counter;
  readonly replayedRecords: Counter<'restored'>;

  constructor(defaultMetrics = true) {
    if (defaultMetrics) collectDefaultMetrics({ register: this.registry });
    const registers = [this.registry];
    this.recordsIn = new Counter({
      name: 'pipewatch_pipeline_records_in_total',
      help: 'Records the pipeline process read (consumer) or generated (producer).',
      labelNames: ['role'],
      registers,
    });
    this.recordsOut = new Counter({
      name: 'pipewatch_pipeline_records_out_total',
      help: 'Records the pipeline process wrote and had acknowledged, per topic.',
      labelNames: ['role', 'topic'],
      registers,
    });
    this.dlqRecords = new Counter({
      name: 'pipewatch_pipeline_dlq_records_total',
      help: 'Records the feature consumer sent to the dead-letter topic, by error type.',
      labelNames: ['error_type'],
      registers,
    });
    this.faultsInjected = new Counter({
      name: 'pipewatch_pipeline_faults_injected_total',
      help: 'Records the producer wrote with a deliberate fault, by fault.',
      labelNames: ['fault'],
      registers,
    });
    this.batchDuration = new Histogram({
      name: 'pipewatch_pipeline_batch_duration_seconds',
      help: 'Time from receiving a batch to its outputs acknowledged and offsets resolved.',
      labelNames: ['role'],
      buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
      registers,
    });
    this.consumerUp = new Gauge({
      name: 'pipewatch_pipeline_consumer_up',
      help: '1 while the feature consumer loop runs, 0 once it stopped (by stop() or a fatal error).',
      registers,
    });
    this.consumerFatalErrors = new Counter({
      name: 'pipewatch_pipeline_consumer_fatal_errors_total',
      help: 'Times the feature consumer loop ended on an error it cannot retry (e.g. fenced).',
      registers,
    });
    this.replayedRecords = new Counter({
      name: 'pipewatch_pipeline_replayed_records_total',
      help:
        'Records read again after a failed write. restored=exact: the per-account windows were ' +
        'rolled back first; inexact: their undo history was gone, so they were not folded twice.',
      labelNames: ['restored'],
      registers,
    });
  }
}

/** Extra routes next to /metrics (the producer's /faults). Return false when not handled. */
export type RouteHandler = (
  request: IncomingMessage,
  body: string,
  response: ServerResponse,
) => Promise<boolean>;

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/** A small HTTP server: GET /metrics plus `extra` routes. Port 0 picks a free port. */
export async function startMetricsServer(
  metrics: PipelineMetrics,
  host: string,
  port: number,
  extra?: RouteHandler,
): Promise<MetricsServer> {
  const server: Server = createServer((request, response) => {
    void handle(request, response);
  });
  async function handle(request: IncomingMessage, response: ServerResponse) {
    try {
      const chunks: Buffer[] = [];
      for await (const chunk of request) chunks.push(chunk as Buffer);
      const body = Buffer.concat(chunks).toString('utf8');
      if (request.method === 'GET' && request.url === '/metrics') {
        response.writeHead(200, { 'content-type': metrics.registry.contentType });
        response.end(await metrics.registry.metrics());
        return;
      }
      if (extra && (await extra(request, body, response))) return;
      sendJson(response, 404, {
        error: { code: 'NOT_FOUND', message: `no route ${request.method} ${request.url}` },
      });
    } catch (error) {
      const status = isPipewatchError(error) && error.kind === 'invalid_input' ? 400 : 500;
      const code = isPipewatchError(error) ? error.code : 'INTERNAL';
      sendJson(response, status, { error: { code, message: (error as Error).message } });
    }
  }
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => resolve());
  });
  const address = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

export function sendJson(response: ServerResponse, status: number, body: unknown): void {
  response.writeHead(status, { 'content-type': 'application/json' });
  response.end(JSON.stringify(body));
}
