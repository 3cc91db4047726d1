import type { AddressInfo } from 'node:net';
import type { Logger } from 'pino';
import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { pipelineHttpApp, type FaultsControl } from './http.js';

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
  readonly warmupRecords: Counter<'method'>;
  readonly warmupPartitions: Counter<'method' | 'outcome'>;

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
    this.warmupRecords = new Counter({
      name: 'pipewatch_pipeline_warmup_records_total',
      help:
        'Raw records the feature consumer read to warm the windows of newly assigned partitions ' +
        '(folded or skipped, never emitted), by how the start offset was found: ' +
        'offsets-by-timestamp or scan-from-log-start.',
      labelNames: ['method'],
      registers,
    });
    this.warmupPartitions = new Counter({
      name: 'pipewatch_pipeline_warmup_partitions_total',
      help:
        'Partition warm-ups of the feature consumer, by method and outcome (complete; capped by ' +
        'maxRecordsPerPartition; timed_out; failed, method none).',
      labelNames: ['method', 'outcome'],
      registers,
    });
  }
}

export interface MetricsServer {
  readonly url: string;
  close(): Promise<void>;
}

/**
 * Listens with the pipeline's HTTP app (GET /metrics, and GET/PUT /faults when `faults` is
 * given) on `host:port`; port 0 picks a free one.
 */
export async function startMetricsServer(
  metrics: PipelineMetrics,
  host: string,
  port: number,
  faults?: FaultsControl,
  logger?: Logger,
): Promise<MetricsServer> {
  const app = await pipelineHttpApp({
    metrics,
    ...(faults ? { faults } : {}),
    ...(logger ? { logger } : {}),
  });
  await app.listen({ host, port });
  const address = app.server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${address.port}`,
    close: () => app.close(),
  };
}
