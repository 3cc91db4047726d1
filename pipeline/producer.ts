import { randomUUID } from 'node:crypto';
import type { Kafka, Message, Producer } from 'kafkajs';
import type { Logger } from 'pino';
import type { RecordCodec } from './codec.js';
import { mergeFaults, noFaults, unregisteredSchemaId, type FaultKnobs } from './faults.js';
import { TransactionGenerator, type FaultKind, type GeneratedRecord } from './generator.js';
import { PipelineMetrics, startMetricsServer, type MetricsServer } from './metrics.js';

export interface ProducerOptions {
  /** A kafkajs client (see `createKafkaClient`). */
  readonly kafka: Kafka;
  /** Raw topic. */
  readonly topic: string;
  readonly codec: RecordCodec;
  /** Records per second; 0 sends as fast as possible. Default 50. */
  readonly ratePerSecond?: number;
  /** PRNG seed of the values. Default 1. */
  readonly seed?: number;
  /** Number of distinct accounts (keys). Default 1000. */
  readonly accountCount?: number;
  /** Prefix of transaction ids. Default: 8 random hex digits, so restarts never reuse ids. */
  readonly idPrefix?: string;
  /** Initial fault knobs (partial; the rest default to no fault). */
  readonly faults?: unknown;
  /** Stop by itself after this many records (`done` resolves). Default: run until stop(). */
  readonly maxRecords?: number;
  /** Records per send request. Default 1000. */
  readonly batchSize?: number;
  /** Serve /metrics and GET/PUT /faults here; `false` serves nothing. Default false. */
  readonly http?: { readonly host: string; readonly port: number } | false;
  /** Where an outside registry would look; the default metrics of the process included. */
  readonly metrics?: PipelineMetrics;
  /** The clock of event times, in epoch ms. Default Date.now. */
  readonly clock?: () => number;
  readonly logger?: Logger;
}

export interface ProducerStats {
  /** Records acknowledged by the cluster. */
  readonly sent: number;
  /** Of those, how many carried each fault ('none' = a clean record). */
  readonly byFault: Readonly<Record<FaultKind, number>>;
}

export interface RunningProducer {
  /** Changes some knobs from the next send on; returns the knobs now in force. */
  setFaults(change: unknown): FaultKnobs;
  faults(): FaultKnobs;
  stats(): ProducerStats;
  /** Resolves when maxRecords were sent (or after stop()); rejects if the loop failed. */
  readonly done: Promise<void>;
  /** Base URL of /metrics and /faults when `http` was given. */
  readonly httpUrl: string | undefined;
  readonly metrics: PipelineMetrics;
  stop(): Promise<void>;
}

const role = 'producer';

/**
 * The reference producer: synthetic card transactions keyed by account id, idempotent with
 * acks=all, at a steady rate or as fast as possible, with the fault knobs of `FaultKnobs`.
 */
export async function startProducer(options: ProducerOptions): Promise<RunningProducer> {
  const clock = options.clock ?? Date.now;
  const metrics = options.metrics ?? new PipelineMetrics(false);
  let knobs = mergeFaults(noFaults, options.faults ?? {});
  const generator = new TransactionGenerator(
    options.seed ?? 1,
    options.accountCount ?? 1000,
    options.idPrefix ?? randomUUID().slice(0, 8),
  );
  const byFault: Record<FaultKind, number> = {
    none: 0,
    malformed: 0,
    negative_amount: 0,
    future_timestamp: 0,
    unregistered_schema_id: 0,
    incompatible_schema: 0,
  };
  let sent = 0;
  // The v2 schema is registered only once the incompatible-schema fault is first used, so a
  // clean run leaves no stray subject in the registry.
  await options.codec.prepare(['transaction']);
  const producer = options.kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();

  let server: MetricsServer | undefined;
  const setFaults = (change: unknown) => {
    knobs = mergeFaults(knobs, change);
    options.logger?.info({ faults: knobs }, 'producer fault knobs changed');
    return knobs;
  };
  if (options.http) {
    server = await startMetricsServer(
      metrics,
      options.http.host,
      options.http.port,
      { get: () => knobs, set: setFaults },
      options.logger,
    );
  }

  let stopped = false;
  let wake: (() => void) | undefined;
  const sleep = (ms: number) =>
    new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, ms);
      wake = () => {
        clearTimeout(timer);
        resolve();
      };
    });

  const encode = (record: GeneratedRecord): Message => {
    const key = record.transaction.account_id;
    switch (record.fault) {
      case 'malformed':
        return { key, value: record.malformedBytes ?? Buffer.from([0xff]) };
      case 'unregistered_schema_id':
        return {
          key,
          value: options.codec.withSchemaId(
            options.codec.encode('transaction', record.transaction),
            unregisteredSchemaId,
          ),
        };
      case 'incompatible_schema': {
        const { amount_usd, ...rest } = record.transaction;
        const v2 = { ...rest, amount_cents: Math.round(amount_usd * 100) };
        return { key, value: options.codec.encode('transaction-v2', v2) };
      }
      default:
        return { key, value: options.codec.encode('transaction', record.transaction) };
    }
  };

  const batchSize = options.batchSize ?? 1000;
  const rate = options.ratePerSecond ?? 50;
  const maxRecords = options.maxRecords ?? Number.POSITIVE_INFINITY;

  async function sendBatch(count: number): Promise<void> {
    if (knobs.incompatibleSchemaRatio > 0) await options.codec.prepare(['transaction-v2']);
    const nowMs = clock();
    const generated: GeneratedRecord[] = [];
    for (let i = 0; i < count; i++) generated.push(generator.next(knobs, nowMs));
    const messages = generated.map(encode);
    metrics.recordsIn.inc({ role }, count);
    await sendWithRetry(producer, options.topic, messages, () => stopped, options.logger);
    sent += count;
    metrics.recordsOut.inc({ role, topic: options.topic }, count);
    for (const record of generated) {
      byFault[record.fault]++;
      if (record.fault !== 'none') metrics.faultsInjected.inc({ fault: record.fault });
    }
  }

  async function loop(): Promise<void> {
    let windowStartMs = Date.now();
    let windowSent = 0;
    while (!stopped && sent < maxRecords) {
      if (knobs.paused) {
        windowStartMs = Date.now();
        windowSent = 0;
        await sleep(100);
        continue;
      }
      let count = Math.min(batchSize, maxRecords - sent);
      if (rate > 0) {
        const due = Math.floor(((Date.now() - windowStartMs) / 1000) * rate) - windowSent;
        if (due <= 0) {
          await sleep(Math.max(5, Math.min(100, 1000 / rate)));
          continue;
        }
        count = Math.min(count, due);
      }
      await sendBatch(count);
      windowSent += count;
    }
  }

  const done = loop();
  done.catch((error: unknown) => options.logger?.error({ err: error }, 'producer loop failed'));
  return {
    setFaults,
    faults: () => knobs,
    stats: () => ({ sent, byFault: { ...byFault } }),
    done,
    httpUrl: server?.url,
    metrics,
    async stop() {
      stopped = true;
      wake?.();
      await done.catch(() => undefined);
      await producer.disconnect();
      await server?.close();
    },
  };
}

/** kafkajs already retries inside send; past that, wait and resend the same batch. */
async function sendWithRetry(
  producer: Producer,
  topic: string,
  messages: Message[],
  isStopped: () => boolean,
  logger: Logger | undefined,
): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    try {
      await producer.send({ topic, acks: -1, messages });
      return;
    } catch (error) {
      if (isStopped()) throw error;
      logger?.warn({ err: error, attempt, records: messages.length }, 'send failed; retrying');
      await new Promise((r) => setTimeout(r, Math.min(5000, 250 * attempt)));
    }
  }
}
