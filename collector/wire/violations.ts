import type { Counter, Registry } from 'prom-client';
import { sharedCounter } from '../metrics.js';
import type { UndecodableHandler } from '../tap.js';
import { registryUnavailableKind } from './schema-resolver.js';

/** One offending record, as the API shows it. */
export interface ViolationSample {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly kind: string;
  readonly message: string;
  readonly timestampMs: number;
}

export interface ViolationCount {
  readonly topic: string;
  readonly kind: string;
  readonly count: number;
  /** The first offending records of this (topic, kind), oldest first. */
  readonly samples: readonly ViolationSample[];
}

export interface SchemaViolationsSnapshot {
  /** Producer violations: pipewatch_schema_violations_total{topic,kind}. */
  readonly violations: readonly ViolationCount[];
  /** Records not checked because the registry was unreachable (kind registry_unavailable). */
  readonly lookupFailures: readonly ViolationCount[];
}

/** The read side, what the API route needs. */
export interface SchemaViolationsView {
  snapshot(filter?: { readonly topic?: string }): SchemaViolationsSnapshot;
}

export interface SchemaViolationRecorderOptions {
  readonly metricsRegistry: Registry;
  /** Offending records kept per (topic, kind). Default 20. */
  readonly samplesPerKind?: number;
}

const maxMessageChars = 500;

interface Tally {
  count: number;
  readonly samples: ViolationSample[];
}

/**
 * Counts and keeps the records a tap could not decode. Producer violations go to
 * pipewatch_schema_violations_total{topic,kind}; registry outages to
 * pipewatch_schema_lookup_failures_total{topic}, because an unreachable registry says nothing
 * about the producer. Memory is bounded by topics × kinds × samplesPerKind.
 */
export class SchemaViolationRecorder implements SchemaViolationsView {
  private readonly violationsTotal: Counter<'topic' | 'kind'>;
  private readonly lookupFailuresTotal: Counter<'topic'>;
  private readonly samplesPerKind: number;
  private readonly tallies = new Map<string, Map<string, Tally>>();

  constructor(options: SchemaViolationRecorderOptions) {
    this.samplesPerKind = options.samplesPerKind ?? 20;
    this.violationsTotal = sharedCounter(
      options.metricsRegistry,
      'pipewatch_schema_violations_total',
      'Records on watched topics that break the topic schema expectations, by kind.',
      ['topic', 'kind'],
    );
    this.lookupFailuresTotal = sharedCounter(
      options.metricsRegistry,
      'pipewatch_schema_lookup_failures_total',
      'Records left unchecked because the schema registry could not be reached.',
      ['topic'],
    );
  }

  /** The tap's onUndecodable handler. */
  readonly onUndecodable: UndecodableHandler = (record, kind, message) => {
    if (kind === registryUnavailableKind) this.lookupFailuresTotal.inc({ topic: record.topic });
    else this.violationsTotal.inc({ topic: record.topic, kind });
    let byKind = this.tallies.get(record.topic);
    if (!byKind) {
      byKind = new Map();
      this.tallies.set(record.topic, byKind);
    }
    let tally = byKind.get(kind);
    if (!tally) {
      tally = { count: 0, samples: [] };
      byKind.set(kind, tally);
    }
    tally.count += 1;
    if (tally.samples.length < this.samplesPerKind) {
      tally.samples.push({
        topic: record.topic,
        partition: record.partition,
        offset: record.offset,
        kind,
        message:
          message.length > maxMessageChars ? `${message.slice(0, maxMessageChars)}…` : message,
        timestampMs: record.timestampMs,
      });
    }
  };

  snapshot(filter: { readonly topic?: string } = {}): SchemaViolationsSnapshot {
    const violations: ViolationCount[] = [];
    const lookupFailures: ViolationCount[] = [];
    const topics = [...this.tallies.keys()].filter(
      (t) => filter.topic === undefined || t === filter.topic,
    );
    for (const topic of topics.sort()) {
      const byKind = this.tallies.get(topic)!;
      for (const kind of [...byKind.keys()].sort()) {
        const tally = byKind.get(kind)!;
        const entry = { topic, kind, count: tally.count, samples: [...tally.samples] };
        (kind === registryUnavailableKind ? lookupFailures : violations).push(entry);
      }
    }
    return { violations, lookupFailures };
  }
}
