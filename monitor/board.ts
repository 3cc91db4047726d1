/**
 * The readings board: every detector runtime (drift, lag and freshness, group status, DLQ rate,
 * schema violations, pipewatch's own health) publishes its numbers here, and every reader
 * (the Prometheus exporter, the rules, the API, the status page) reads them from here. A new
 * detector is one runtime plus its readings: no gauge code, no rule or API adapter of its own.
 *
 * A source (one runtime, e.g. `lag:transactions`) publishes the whole set of its current
 * readings at once; the set replaces what that source published before, so a series that
 * disappears from a source disappears from every reader.
 */

/** How Prometheus renders the metric; a counter's value is its running total. */
export type MetricType = 'gauge' | 'counter';

export interface MetricDescriptor {
  /** Prometheus name (prefix `pipewatch_`, base units, `_total` on counters). */
  readonly name: string;
  readonly help: string;
  readonly type: MetricType;
  /** Every label a reading of this metric carries, in this order. */
  readonly labelNames: readonly string[];
}

export type Labels = Readonly<Record<string, string>>;

export interface Reading {
  readonly name: string;
  readonly labels: Labels;
  readonly value: number;
  /** Milliseconds since the epoch at which the value was computed. */
  readonly atMs: number;
}

export interface ReadingsFilter {
  readonly name?: string;
  /** Every given label must be equal. */
  readonly labels?: Labels;
}

export type BoardListener = (source: string, readings: readonly Reading[]) => void;

export class ReadingsBoard {
  private readonly descriptorsByName = new Map<string, MetricDescriptor>();
  private readonly bySource = new Map<string, readonly Reading[]>();
  private readonly listeners = new Set<BoardListener>();

  /** Declares a metric; declaring the same one again is a no-op, a different one an error. */
  describe(descriptor: MetricDescriptor): void {
    const known = this.descriptorsByName.get(descriptor.name);
    if (known === undefined) {
      this.descriptorsByName.set(descriptor.name, Object.freeze({ ...descriptor }));
      return;
    }
    if (
      known.type !== descriptor.type ||
      known.labelNames.join(',') !== descriptor.labelNames.join(',')
    ) {
      throw new Error(`metric ${descriptor.name} is already declared with other labels or type`);
    }
  }

  /** Replaces every reading of `source`. Each reading's metric must be declared. */
  publish(source: string, readings: readonly Reading[]): void {
    for (const r of readings) {
      const d = this.descriptorsByName.get(r.name);
      if (d === undefined) throw new Error(`reading of undeclared metric ${r.name} from ${source}`);
      for (const label of d.labelNames) {
        if (r.labels[label] === undefined) {
          throw new Error(`reading ${r.name} from ${source} lacks label ${label}`);
        }
      }
    }
    this.bySource.set(source, Object.freeze([...readings]));
    for (const listener of this.listeners) listener(source, readings);
  }

  /** Removes every reading of `source` (its runtime stopped or its subject was deleted). */
  clear(source: string): void {
    if (this.bySource.delete(source)) for (const listener of this.listeners) listener(source, []);
  }

  descriptors(): MetricDescriptor[] {
    return [...this.descriptorsByName.values()];
  }

  descriptor(name: string): MetricDescriptor | undefined {
    return this.descriptorsByName.get(name);
  }

  readings(filter: ReadingsFilter = {}): Reading[] {
    const out: Reading[] = [];
    for (const list of this.bySource.values()) {
      for (const r of list) {
        if (filter.name !== undefined && r.name !== filter.name) continue;
        if (filter.labels && !matches(r.labels, filter.labels)) continue;
        out.push(r);
      }
    }
    return out;
  }

  /** Told after every publish or clear; returns the unsubscribe function. */
  subscribe(listener: BoardListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }
}

function matches(labels: Labels, wanted: Labels): boolean {
  for (const [k, v] of Object.entries(wanted)) if (labels[k] !== v) return false;
  return true;
}
