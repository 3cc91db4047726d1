import { highRiskMerchantCodes, type Transaction } from './transaction.js';

const minuteMs = 60_000;
const hourMs = 3_600_000;

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
 * Per-account sliding windows (1 minute, 1 hour) over event time. Events of an account are
 * expected in roughly increasing event time; windows end at the latest event time seen for the
 * account, so a late event counts within the windows of the newest one.
 */
class AccountWindows {
  times: number[] = [];
  amounts: number[] = [];
  start1m = 0;
  start1h = 0;
  spend1m = 0;
  spend1h = 0;
  latestMs = Number.NEGATIVE_INFINITY;

  add(timeMs: number, amountUsd: number): void {
    this.times.push(timeMs);
    this.amounts.push(amountUsd);
    this.spend1m += amountUsd;
    this.spend1h += amountUsd;
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    const end = this.times.length;
    while (this.start1m < end && (this.times[this.start1m] ?? 0) <= this.latestMs - minuteMs) {
      this.spend1m -= this.amounts[this.start1m++] ?? 0;
    }
    while (this.start1h < end && (this.times[this.start1h] ?? 0) <= this.latestMs - hourMs) {
      this.spend1h -= this.amounts[this.start1h++] ?? 0;
    }
    if (this.start1h > 256 && this.start1h * 2 > end) this.compact();
  }

  get count1m(): number {
    return this.times.length - this.start1m;
  }

  get count1h(): number {
    return this.times.length - this.start1h;
  }

  /** Drops evicted entries and re-sums, which also clears rounding drift and overflow. */
  private compact(): void {
    const drop = this.start1h;
    this.times = this.times.slice(drop);
    this.amounts = this.amounts.slice(drop);
    this.start1m -= drop;
    this.start1h = 0;
    this.spend1h = this.amounts.reduce((a, b) => a + b, 0);
    this.spend1m = this.amounts.slice(this.start1m).reduce((a, b) => a + b, 0);
  }
}

/**
 * State carried from batch to batch: the windows of every account seen in the last hour of
 * event time. Accounts idle for more than an hour are dropped now and then.
 */
export class FeatureState {
  readonly accounts = new Map<string, AccountWindows>();
  private latestMs = Number.NEGATIVE_INFINITY;
  private updates = 0;

  windows(accountId: string): AccountWindows {
    let w = this.accounts.get(accountId);
    if (!w) {
      w = new AccountWindows();
      this.accounts.set(accountId, w);
    }
    return w;
  }

  noteTime(timeMs: number): void {
    if (timeMs > this.latestMs) this.latestMs = timeMs;
    if (++this.updates % 100_000 === 0) this.evictIdle();
  }

  private evictIdle(): void {
    for (const [account, w] of this.accounts) {
      if (w.latestMs <= this.latestMs - hourMs) this.accounts.delete(account);
    }
  }
}

/**
 * Computes the features of a batch of valid transactions, in order, column by column over typed
 * arrays; window features fold each row into `state` as they go. The micro-batch consumer calls
 * it with a whole batch and the per-event consumer with one row at a time: the results are the
 * same because the rows are folded in the same order.
 */
export function computeFeatures(rows: readonly Transaction[], state: FeatureState): FeatureColumns {
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
    const w = state.windows(rows[i]!.account_id);
    const t = time[i]!;
    sinceLast[i] =
      w.latestMs === Number.NEGATIVE_INFINITY ? NaN : Math.max(0, t - w.latestMs) / 1000;
    w.add(t, amount[i]!);
    state.noteTime(t);
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
