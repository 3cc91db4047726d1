/** The record on the raw topic (schemas/avro/transaction.avsc). Kafka key: `account_id`. */
export interface Transaction {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly amount_usd: number;
  readonly balance_usd: number;
  /** ISO 18245 four-digit merchant category code, e.g. `5411`. */
  readonly merchant_category_code: string;
  readonly channel: string;
  readonly device_fingerprint: string | null;
  /** When the card was used, epoch milliseconds. */
  readonly event_time_ms: number;
}

export const channels = ['card_present', 'ecommerce', 'contactless', 'atm'] as const;
export type Channel = (typeof channels)[number];

/** Gambling, quasi-cash, money transfer, direct marketing, crypto: flagged as high risk. */
export const highRiskMerchantCodes: ReadonlySet<string> = new Set([
  '7995',
  '6051',
  '4829',
  '5967',
  '6012',
]);

/** How far ahead of the consumer's clock an event time may be. Default 5 minutes. */
export const defaultMaxFutureSkewMs = 5 * 60_000;

/** Why a decoded value is not a usable transaction; maps to the DLQ error type. */
export type ValidationFailure = {
  readonly errorType: 'SCHEMA_VIOLATION' | 'SEMANTIC_ERROR';
  readonly message: string;
};

const stringFields = ['transaction_id', 'account_id', 'merchant_category_code', 'channel'] as const;
const numberFields = ['amount_usd', 'balance_usd', 'event_time_ms'] as const;

/**
 * Checks a decoded value. Shape problems (not an object, a required field missing or of the
 * wrong type) are SCHEMA_VIOLATION: the writer did not follow the schema. Rule breaks on
 * well-formed records (negative amount, event time beyond `nowMs + maxFutureSkewMs`, unknown
 * channel, malformed MCC) are SEMANTIC_ERROR.
 */
export function validateTransaction(
  value: unknown,
  nowMs: number,
  maxFutureSkewMs = defaultMaxFutureSkewMs,
): Transaction | ValidationFailure {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return schemaViolation(
      `value is ${Array.isArray(value) ? 'an array' : typeof value}, not a record`,
    );
  }
  const record = value as Record<string, unknown>;
  for (const field of stringFields) {
    if (typeof record[field] !== 'string') return fieldProblem(record, field, 'a string');
  }
  for (const field of numberFields) {
    if (typeof record[field] !== 'number') return fieldProblem(record, field, 'a number');
  }
  const fingerprint = record.device_fingerprint;
  if (fingerprint !== undefined && fingerprint !== null && typeof fingerprint !== 'string') {
    return fieldProblem(record, 'device_fingerprint', 'a string or null');
  }
  const tx = { ...record, device_fingerprint: fingerprint ?? null } as unknown as Transaction;
  if (!Number.isFinite(tx.amount_usd) || tx.amount_usd < 0) {
    return semantic(`amount_usd is ${tx.amount_usd}; must be a finite number >= 0`);
  }
  if (!Number.isFinite(tx.balance_usd)) {
    return semantic(`balance_usd is ${tx.balance_usd}; must be finite`);
  }
  if (!Number.isSafeInteger(tx.event_time_ms) || tx.event_time_ms < 0) {
    return semantic(`event_time_ms is ${tx.event_time_ms}; must be a non-negative integer`);
  }
  if (tx.event_time_ms > nowMs + maxFutureSkewMs) {
    const aheadSeconds = Math.round((tx.event_time_ms - nowMs) / 1000);
    return semantic(
      `event_time_ms ${tx.event_time_ms} is ${aheadSeconds} s in the future ` +
        `(limit ${maxFutureSkewMs / 1000} s)`,
    );
  }
  if (!/^\d{4}$/.test(tx.merchant_category_code)) {
    return semantic(`merchant_category_code '${tx.merchant_category_code}' is not 4 digits`);
  }
  if (!(channels as readonly string[]).includes(tx.channel)) {
    return semantic(`channel '${tx.channel}' is not one of ${channels.join(', ')}`);
  }
  return tx;
}

export function isValidationFailure(x: Transaction | ValidationFailure): x is ValidationFailure {
  return 'errorType' in x;
}

function fieldProblem(record: Record<string, unknown>, field: string, expected: string) {
  const actual = record[field];
  return schemaViolation(
    actual === undefined
      ? `required field ${field} is missing`
      : `field ${field} is ${actual === null ? 'null' : typeof actual}, expected ${expected}`,
  );
}

function schemaViolation(message: string): ValidationFailure {
  return { errorType: 'SCHEMA_VIOLATION', message };
}

function semantic(message: string): ValidationFailure {
  return { errorType: 'SEMANTIC_ERROR', message };
}
