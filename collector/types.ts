/**
 * What a tap hands to its sinks: one Kafka record translated to pipewatch's own types. Sinks
 * (schema checks, feature values for drift, topic counters, DLQ accounting) never see kafkajs.
 */
export interface TappedRecord {
  readonly topic: string;
  readonly partition: number;
  /** Kafka offsets are int64; kept as decimal strings. */
  readonly offset: string;
  /** Record timestamp (CreateTime or LogAppendTime) in epoch milliseconds. */
  readonly timestampMs: number;
  readonly key: Buffer | null;
  readonly headers: Readonly<Record<string, string>>;
  readonly value: Buffer | null;
  /**
   * The same headers as raw bytes (first value of each name; a null value is absent), for
   * headers that are not text (Spring's `kafka_dlt-original-partition` is a 4-byte int).
   * Set by the taps; optional so hand-built records need not carry it.
   */
  readonly headerBytes?: Readonly<Record<string, Buffer>>;
}

/** A record whose value decoded (Confluent Avro wire format or JSON) into a plain object. */
export interface DecodedRecord extends TappedRecord {
  readonly payload: Readonly<Record<string, unknown>>;
  /** Confluent schema id when the value was in the wire format; undefined for JSON. */
  readonly schemaId: number | undefined;
}

/** Receives records from a tap. `nowMs` is the tap's clock, passed in for pure consumers. */
export interface RecordSink {
  readonly name: string;
  onRecord(record: DecodedRecord, nowMs: number): void;
}

/**
 * Receives every record a tap reads, before (and whether or not) it decodes: counting source
 * records, and DLQ topics, whose records are bad by design and are never decoded.
 */
export interface TappedRecordSink {
  readonly name: string;
  onTapped(record: TappedRecord, nowMs: number): void;
}
