import { PipewatchError } from '../common/index.js';
import { pipelineFaultsSchema } from '../config/index.js';

/** A numeric field's shift: value = base × scale + addUsd. */
export interface NumericShift {
  /** Added after scaling, in USD: the mean moves by exactly this amount. Default 0. */
  readonly addUsd: number;
  /** Multiplies the base draw: mean and standard deviation scale together. Default 1. */
  readonly scale: number;
}

/**
 * The producer's fault knobs; every one can be set at start and changed while running
 * (`producer.setFaults(partial)` or `PUT /faults` on the producer's metrics port).
 *
 * The five ratios are per-record probabilities of disjoint faults (one uniform draw per record
 * picks at most one), so they must sum to at most 1; what each does on the topics:
 */
export interface FaultKnobs {
  /**
   * Value replaced by 16–64 random bytes starting with 0xff: neither the Confluent wire format
   * nor JSON. The consumer sends it to the DLQ as SCHEMA_VIOLATION.
   */
  readonly malformedRatio: number;
  /** amount_usd negated (a valid record breaking a rule): DLQ SEMANTIC_ERROR. */
  readonly negativeAmountRatio: number;
  /** event_time_ms set to send time + futureTimestampOffsetMs: DLQ SEMANTIC_ERROR. */
  readonly futureTimestampRatio: number;
  /** Offset of a future-timestamp fault, in ms. Default 3600000 (1 h). */
  readonly futureTimestampOffsetMs: number;
  /**
   * The value keeps its payload but its wire-format header names schema id
   * `unregisteredSchemaId` (2147483000), which no registry has assigned: the consumer cannot
   * fetch the writer schema and sends it to the DLQ as SCHEMA_VIOLATION. With the JSON format
   * the header makes the value undecodable JSON: also SCHEMA_VIOLATION.
   */
  readonly unregisteredSchemaIdRatio: number;
  /**
   * The record is written in schemas/avro/transaction-v2-incompatible.avsc (amount_usd replaced
   * by amount_cents, no default): the mistake of a team that, refused by the registry under
   * `<raw topic>-value`, registered the new schema under `<raw topic>-v2-value` and shipped.
   * Its id is real and decodes, but the record lacks amount_usd: DLQ SCHEMA_VIOLATION. With JSON
   * the object simply has the new shape.
   */
  readonly incompatibleSchemaRatio: number;
  /** Shift of amount_usd (base: lognormal, median e^3.5 ≈ 33 USD, σ_log 1.0). */
  readonly amountShift: NumericShift;
  /** Shift of balance_usd (base: lognormal, median e^7 ≈ 1097 USD, σ_log 1.0). */
  readonly balanceShift: NumericShift;
  /** Channel mix as relative weights (unknown names produce unknown channels). Unset: base mix. */
  readonly channelWeights?: Readonly<Record<string, number>> | undefined;
  /** Merchant category mix as relative weights per MCC. Unset: base mix. */
  readonly merchantCategoryWeights?: Readonly<Record<string, number>> | undefined;
  /** Probability that device_fingerprint is null. Unset: the base rate 0.3. */
  readonly deviceFingerprintNullRate?: number | undefined;
  /** While true the producer sends nothing (the raw topic goes quiet). */
  readonly paused: boolean;
}

/** The schema id the unregistered-schema-id fault writes; far above any id a registry assigns. */
export const unregisteredSchemaId = 2_147_483_000;

export const noFaults: FaultKnobs = Object.freeze(pipelineFaultsSchema.parse({}));

/**
 * Applies a partial change to the current knobs and validates the result; an invalid change is
 * a BAD_REQUEST naming the key, and the current knobs stay as they were.
 */
export function mergeFaults(current: FaultKnobs, change: unknown): FaultKnobs {
  if (typeof change !== 'object' || change === null || Array.isArray(change)) {
    throw new PipewatchError('BAD_REQUEST', 'fault knobs must be a JSON object');
  }
  const merged: Record<string, unknown> = { ...current };
  for (const [key, value] of Object.entries(change)) {
    const before = merged[key];
    merged[key] =
      isPlainObject(before) &&
      isPlainObject(value) &&
      (key === 'amountShift' || key === 'balanceShift')
        ? { ...before, ...value }
        : value === null
          ? undefined
          : value;
  }
  const result = pipelineFaultsSchema.safeParse(merged);
  if (!result.success) {
    const messages = result.error.issues.map(
      (i) =>
        `${[...i.path, ...(i.code === 'unrecognized_keys' ? i.keys : [])].join('.') || '(knobs)'}: ${i.message}`,
    );
    throw new PipewatchError('BAD_REQUEST', `invalid fault knobs: ${messages.join('; ')}`, {
      issues: messages,
    });
  }
  return Object.freeze(result.data);
}

function isPlainObject(x: unknown): x is Record<string, unknown> {
  return typeof x === 'object' && x !== null && !Array.isArray(x);
}
