import type { Registry } from 'prom-client';
import type { RecordDecoder } from '../tap.js';
import { createWireDecoder, type WireTopicExpectation } from './decoder.js';
import { createRegistryHttp } from './registry-http.js';
import { SchemaResolver } from './schema-resolver.js';
import { SchemaViolationRecorder } from './violations.js';

/** The keys of config `collector`, plus what the composition root knows. */
export interface WireChecksOptions {
  /** The schema registry (embedded or config `registry.url`). */
  readonly registryUrl: string;
  /** prom-client counters of the violations; without it they are published on the board. */
  readonly metricsRegistry?: Registry;
  /** Config `collector.topicFormats`. Default {}: every topic Confluent Avro, `<topic>-value`. */
  readonly topicFormats?: Readonly<Record<string, WireTopicExpectation>>;
  /** Milliseconds. Default 2000. */
  readonly registryTimeoutMs?: number;
  /** Config `registry.requestRetries`. Default 2. */
  readonly registryRequestRetries?: number;
  /** Config `registry.retryBackoffMs`. Default 100. */
  readonly registryRetryBackoffMs?: number;
  /** Milliseconds. Default 10000. */
  readonly unknownSchemaIdTtlMs?: number;
  /** Milliseconds. Default 60000. */
  readonly schemaVerdictTtlMs?: number;
  /** Milliseconds. Default 1000. */
  readonly registryRetryAfterMs?: number;
  /** Default 20. */
  readonly violationSamplesPerKind?: number;
  /** Milliseconds since the epoch. Default Date.now. */
  readonly clock?: () => number;
}

/** A tap's `decode` and `onUndecodable` for schema checks, built from config in one call. */
export function createWireChecks(options: WireChecksOptions): {
  readonly decode: RecordDecoder;
  readonly recorder: SchemaViolationRecorder;
} {
  const resolver = new SchemaResolver({
    registry: createRegistryHttp({
      url: options.registryUrl,
      timeoutMs: options.registryTimeoutMs,
      retries: options.registryRequestRetries,
      retryBackoffMs: options.registryRetryBackoffMs,
    }),
    clock: options.clock,
    unknownIdTtlMs: options.unknownSchemaIdTtlMs,
    verdictTtlMs: options.schemaVerdictTtlMs,
    retryAfterMs: options.registryRetryAfterMs,
  });
  return {
    decode: createWireDecoder({ resolver, topics: options.topicFormats ?? {} }),
    recorder: new SchemaViolationRecorder({
      metricsRegistry: options.metricsRegistry,
      samplesPerKind: options.violationSamplesPerKind,
    }),
  };
}
