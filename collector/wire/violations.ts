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

/** Running totals, what the readings board publishes (no samples). */
export interface ViolationTotals {
  readonly violations: readonly {
    readonly topic: string;
    readonly kind: string;
    readonly count: number;
  }[];
  readonly lookupFailures: readonly { readonly topic: string; readonly count: number }[];
}

export interface SchemaViolationRecorderOptions {
  /**
   * Where prom-client counters go. Without it the recorder keeps no prom-client series: the
   * totals reach /metrics through the readings board (monitor/, `subscribe` + `totals`).
   */
  readonly metricsRegistry?: Registry;
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
  private readonly violationsTotal: Counter<'topic' | 'kind'> | undefined;
  private readonly lookupFailuresTotal: Counter<'topic'> | undefined;
  private readonly listeners = new Set<() => void>();
  private readonly samplesPerKind: number;
  private readonly tallies = new Map<string, Map<string, Tally>>();

  constructor(options: SchemaViolationRecorderOptions) {
    this.samplesPerKind = options.samplesPerKind ?? 20;
    const registry = options.metricsRegistry;
    if (!registry) return;
    this.violationsTotal = sharedCounter(
      registry,
      'pipewatch_schema_violations_total',
      'Records on watched topics that break the topic schema expectations, by kind.',
      ['topic', 'kind'],
    );
    this.lookupFailuresTotal = sharedCounter(
      registry,
      'pipewatch_schema_lookup_failures_total',
      'Records left unchecked because the schema registry could not be reached.',
      ['topic'],
    );
  }

  /** The tap's onUndecodable handler. */
  readonly onUndecodable: UndecodableHandler = (record, kind, message) => {
    if (kind === registryUnavailableKind) this.lookupFailuresTotal?.inc({ topic: record.topic });
    else this.violationsTotal?.inc({ topic: record.topic, kind });
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
    for (const listener of this.listeners) listener();
  };

  /** Told after every counted record; returns the unsubscribe function. */
  subscribe(listener: () => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Running totals per (topic, kind) and registry lookup failures per topic. */
  totals(): ViolationTotals {
    const violations: { topic: string; kind: string; count: number }[] = [];
    const lookupFailures: { topic: string; count: number }[] = [];
    for (const [topic, byKind] of this.tallies) {
      for (const [kind, tally] of byKind) {
        if (kind === registryUnavailableKind) lookupFailures.push({ topic, count: tally.count });
        else violations.push({ topic, kind, count: tally.count });
      }
    }
    return { violations, lookupFailures };
  }

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
