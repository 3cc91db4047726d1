import type { FeatureState } from './feature-state.js';
import { highRiskMerchantCodes, type Transaction } from './transaction.js';

/** The feature record (schemas/avro/transaction-features.avsc). */
export interface TransactionFeatures {
  readonly transaction_id: string;
  readonly account_id: string;
  readonly event_time_ms: number;
  readonly computed_at_ms: number;
  readonly amount_usd: number;
  readonly amount_log1p: number;
  readonly amount_to_balance_ratio: number;
  readonly high_risk_merchant: boolean;
  readonly channel: string;
  readonly account_txn_count_1m: number;
  readonly account_spend_usd_1m: number;
  readonly account_txn_count_1h: number;
  readonly account_spend_usd_1h: number;
  readonly seconds_since_last_txn: number | null;
}

/**
 * Feature columns of one batch; row i belongs to transaction i of the input. `error[i]` is set
 * when a feature of row i is not a finite number (a COMPUTE_ERROR), and the row is then unusable.
 */
export interface FeatureColumns {
  readonly length: number;
  readonly amountLog1p: Float64Array;
  readonly amountToBalanceRatio: Float64Array;
  readonly highRiskMerchant: Uint8Array;
  readonly count1m: Uint32Array;
  readonly spend1m: Float64Array;
  readonly count1h: Uint32Array;
  readonly spend1h: Float64Array;
  /** NaN when the account had no earlier transaction in state. */
  readonly secondsSinceLast: Float64Array;
  readonly error: (string | undefined)[];
}

/**
 * Computes the features of a batch of valid transactions, in order, column by column over typed
 * arrays; window features fold each row into `state` as they go. The micro-batch consumer calls
 * it with a whole batch and the per-event consumer with one row at a time: the results are the
 * same because the rows are folded in the same order. `positions` (partition and offset of each
 * row) let the state recognise a replayed row and restore the windows before folding it again.
 */
export function computeFeatures(
  rows: readonly Transaction[],
  state: FeatureState,
  positions?: { readonly partitions: ArrayLike<number>; readonly offsets: ArrayLike<number> },
): FeatureColumns {
  const n = rows.length;
  const amount = new Float64Array(n);
  const balance = new Float64Array(n);
  const time = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const row = rows[i]!;
    amount[i] = row.amount_usd;
    balance[i] = row.balance_usd;
    time[i] = row.event_time_ms;
  }
  const amountLog1p = new Float64Array(n);
  const ratio = new Float64Array(n);
  const highRisk = new Uint8Array(n);
  for (let i = 0; i < n; i++) amountLog1p[i] = Math.log1p(amount[i]!);
  for (let i = 0; i < n; i++) ratio[i] = amount[i]! / Math.max(balance[i]!, 1);
  for (let i = 0; i < n; i++) {
    highRisk[i] = highRiskMerchantCodes.has(rows[i]!.merchant_category_code) ? 1 : 0;
  }

  const count1m = new Uint32Array(n);
  const spend1m = new Float64Array(n);
  const count1h = new Uint32Array(n);
  const spend1h = new Float64Array(n);
  const sinceLast = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const t = time[i]!;
    const w = state.fold(
      rows[i]!.account_id,
      t,
      amount[i]!,
      positions
        ? { partition: positions.partitions[i]!, offset: positions.offsets[i]! }
        : undefined,
    );
    const before = w.previousLatestMs;
    sinceLast[i] = before === Number.NEGATIVE_INFINITY ? NaN : Math.max(0, t - before) / 1000;
    count1m[i] = w.count1m;
    spend1m[i] = w.spend1m;
    count1h[i] = w.count1h;
    spend1h[i] = w.spend1h;
  }

  const error: (string | undefined)[] = new Array<string | undefined>(n).fill(undefined);
  const checks: [string, Float64Array][] = [
    ['amount_log1p', amountLog1p],
    ['amount_to_balance_ratio', ratio],
    ['account_spend_usd_1m', spend1m],
    ['account_spend_usd_1h', spend1h],
  ];
  for (const [name, column] of checks) {
    for (let i = 0; i < n; i++) {
      if (!Number.isFinite(column[i]!) && error[i] === undefined) {
        error[i] = `feature ${name} is ${column[i]} (not finite)`;
      }
    }
  }
  return {
    length: n,
    amountLog1p,
    amountToBalanceRatio: ratio,
    highRiskMerchant: highRisk,
    count1m,
    spend1m,
    count1h,
    spend1h,
    secondsSinceLast: sinceLast,
    error,
  };
}

/** Row i of the columns as a feature record. */
export function featureRecord(
  row: Transaction,
  columns: FeatureColumns,
  i: number,
  computedAtMs: number,
): TransactionFeatures {
  const since = columns.secondsSinceLast[i]!;
  return {
    transaction_id: row.transaction_id,
    account_id: row.account_id,
    event_time_ms: row.event_time_ms,
    computed_at_ms: computedAtMs,
    amount_usd: row.amount_usd,
    amount_log1p: columns.amountLog1p[i]!,
    amount_to_balance_ratio: columns.amountToBalanceRatio[i]!,
    high_risk_merchant: columns.highRiskMerchant[i] === 1,
    channel: row.channel,
    account_txn_count_1m: columns.count1m[i]!,
    account_spend_usd_1m: columns.spend1m[i]!,
    account_txn_count_1h: columns.count1h[i]!,
    account_spend_usd_1h: columns.spend1h[i]!,
    seconds_since_last_txn: Number.isNaN(since) ? null : since,
  };
}
