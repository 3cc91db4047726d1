import type { OutgoingMessage } from '../kafka/index.js';
import type { RecordCodec } from './codec.js';
import type { FeatureState } from './feature-state.js';
import { computeFeatures, featureRecord } from './features.js';
import { isValidationFailure, validateTransaction, type Transaction } from './transaction.js';

export const dlqErrorTypes = ['SCHEMA_VIOLATION', 'SEMANTIC_ERROR', 'COMPUTE_ERROR'] as const;
export type DlqErrorType = (typeof dlqErrorTypes)[number];

/** DLQ header names (the design's contract with the collector). */
export const dlqHeaders = {
  errorType: 'pipewatch.error.type',
  errorMessage: 'pipewatch.error.message',
  sourceTopic: 'pipewatch.source.topic',
  sourcePartition: 'pipewatch.source.partition',
  sourceOffset: 'pipewatch.source.offset',
} as const;

/** A record read from the raw topic. */
export interface SourceRecord {
  readonly topic: string;
  readonly partition: number;
  readonly offset: string;
  readonly key: Buffer | null;
  readonly value: Buffer | null;
}

export interface ProcessContext {
  readonly codec: RecordCodec;
  readonly state: FeatureState;
  readonly nowMs: number;
  readonly maxFutureSkewMs: number;
}

/** What a batch turns into: one feature or one DLQ message per input record, never neither. */
export interface ProcessedBatch {
  readonly features: OutgoingMessage[];
  readonly dlq: OutgoingMessage[];
  readonly dlqByType: Record<DlqErrorType, number>;
}

/**
 * Decode, validate, compute features column-wise, encode: every input record becomes exactly
 * one feature message or one DLQ message carrying the original key, value and the error.
 */
export async function processBatch(
  records: readonly SourceRecord[],
  context: ProcessContext,
): Promise<ProcessedBatch> {
  const features: OutgoingMessage[] = [];
  const dlq: OutgoingMessage[] = [];
  const dlqByType: Record<DlqErrorType, number> = {
    SCHEMA_VIOLATION: 0,
    SEMANTIC_ERROR: 0,
    COMPUTE_ERROR: 0,
  };
  const toDlq = (record: SourceRecord, errorType: DlqErrorType, message: string) => {
    dlqByType[errorType]++;
    dlq.push(dlqMessage(record, errorType, message));
  };

  const decoded = await context.codec.decodeBatch(records.map((r) => r.value));
  const valid: Transaction[] = [];
  const validSources: SourceRecord[] = [];
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    const outcome = decoded[i]!;
    if (!outcome.ok) {
      toDlq(record, 'SCHEMA_VIOLATION', outcome.message);
      continue;
    }
    const checked = validateTransaction(outcome.value, context.nowMs, context.maxFutureSkewMs);
    if (isValidationFailure(checked)) {
      toDlq(record, checked.errorType, checked.message);
      continue;
    }
    valid.push(checked);
    validSources.push(record);
  }

  // Positions let the state recognise records read again after a failed write.
  const columns = computeFeatures(valid, context.state, {
    partitions: validSources.map((s) => s.partition),
    offsets: validSources.map((s) => Number(s.offset)),
  });
  for (let i = 0; i < valid.length; i++) {
    const source = validSources[i]!;
    const problem = columns.error[i];
    if (problem !== undefined) {
      toDlq(source, 'COMPUTE_ERROR', problem);
      continue;
    }
    try {
      const row = valid[i]!;
      const value = context.codec.encode('features', featureRecord(row, columns, i, context.nowMs));
      features.push({ key: source.key ?? row.account_id, value });
    } catch (error) {
      toDlq(source, 'COMPUTE_ERROR', `cannot encode features: ${(error as Error).message}`);
    }
  }
  return { features, dlq, dlqByType };
}

export function dlqMessage(
  record: SourceRecord,
  errorType: DlqErrorType,
  message: string,
): OutgoingMessage {
  const headers: Record<string, string> = {
    [dlqHeaders.errorType]: errorType,
    [dlqHeaders.errorMessage]: message.slice(0, 1000),
    [dlqHeaders.sourceTopic]: record.topic,
    [dlqHeaders.sourcePartition]: String(record.partition),
    [dlqHeaders.sourceOffset]: record.offset,
  };
  return { key: record.key, value: record.value, headers };
}
