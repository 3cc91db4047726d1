import type { FaultKnobs } from './faults.js';
import { Random } from './random.js';
import type { Transaction } from './transaction.js';

/** Base channel mix (weights sum to 1). */
export const baseChannelWeights: Readonly<Record<string, number>> = {
  card_present: 0.5,
  ecommerce: 0.3,
  contactless: 0.15,
  atm: 0.05,
};

/** Base merchant category mix (weights sum to 1); the last four are high risk. */
export const baseMerchantCategoryWeights: Readonly<Record<string, number>> = {
  '5411': 0.25,
  '5812': 0.2,
  '5541': 0.12,
  '5999': 0.12,
  '5311': 0.08,
  '4111': 0.08,
  '5732': 0.06,
  '7995': 0.03,
  '6051': 0.02,
  '4829': 0.02,
  '5967': 0.02,
};

export const baseDeviceFingerprintNullRate = 0.3;
/** amount_usd before shifts: exp(N(3.5, 1.0)), median ≈ 33 USD. */
export const baseAmountLog = { mean: 3.5, sd: 1.0 } as const;
/** balance_usd before shifts: exp(N(7, 1.0)), median ≈ 1097 USD. */
export const baseBalanceLog = { mean: 7, sd: 1.0 } as const;

export type FaultKind =
  | 'none'
  | 'malformed'
  | 'negative_amount'
  | 'future_timestamp'
  | 'unregistered_schema_id'
  | 'incompatible_schema';

/** One record to send: the transaction plus the fault (if any) the producer must apply. */
export interface GeneratedRecord {
  readonly fault: FaultKind;
  readonly transaction: Transaction;
  /** For `malformed`: the bytes to send instead of an encoded value. */
  readonly malformedBytes?: Buffer;
}

interface Mix {
  readonly names: readonly string[];
  readonly weights: readonly number[];
  readonly total: number;
}

function toMix(weights: Readonly<Record<string, number>>): Mix {
  const names = Object.keys(weights);
  const values = names.map((n) => weights[n] ?? 0);
  return { names, weights: values, total: values.reduce((a, b) => a + b, 0) };
}

/**
 * Synthetic card transactions, reproducible from a seed. Every record consumes the same number
 * of draws whatever the knobs, so two runs with the same seed and different knobs produce
 * record-by-record comparable values (the same accounts and base draws, shifted). Nothing reads
 * the wall clock: event_time_ms is the `nowMs` passed in.
 */
export class TransactionGenerator {
  private readonly random: Random;
  /** Malformed bytes come from their own stream so they do not shift the value draws. */
  private readonly garbageRandom: Random;
  private sequence = 0;
  private mixCache = new WeakMap<object, Mix>();
  private readonly baseChannels = toMix(baseChannelWeights);
  private readonly baseMerchants = toMix(baseMerchantCategoryWeights);

  constructor(
    seed: number,
    private readonly accountCount: number,
    /** Prefix of transaction ids; ids are `<prefix>-<sequence>`. */
    private readonly idPrefix: string,
  ) {
    this.random = new Random(seed);
    this.garbageRandom = new Random(seed ^ 0x5bd1e995);
  }

  get generated(): number {
    return this.sequence;
  }

  next(knobs: FaultKnobs, nowMs: number): GeneratedRecord {
    const r = this.random;
    const seq = this.sequence++;
    const accountIndex = r.int(this.accountCount);
    const amountBase = Math.exp(baseAmountLog.mean + baseAmountLog.sd * r.normal());
    const balanceBase = Math.exp(baseBalanceLog.mean + baseBalanceLog.sd * r.normal());
    const channels = this.mix(knobs.channelWeights, this.baseChannels);
    const merchants = this.mix(knobs.merchantCategoryWeights, this.baseMerchants);
    const channel = channels.names[r.weighted(channels.weights, channels.total)] ?? 'card_present';
    const mcc = merchants.names[r.weighted(merchants.weights, merchants.total)] ?? '5411';
    const nullRate = knobs.deviceFingerprintNullRate ?? baseDeviceFingerprintNullRate;
    // Draw the fingerprint even when it will be null, so every record consumes the same draws
    // and a knob change never reshuffles the records that follow.
    const isNull = r.next() < nullRate;
    const fingerprintHex = r.hex(12);
    const fingerprint = isNull ? null : `dev-${fingerprintHex}`;
    const faultDraw = r.next();
    const fault = pickFault(knobs, faultDraw);
    let amount = amountBase * knobs.amountShift.scale + knobs.amountShift.addUsd;
    let eventTimeMs = nowMs;
    if (fault === 'negative_amount') amount = -Math.max(Math.abs(amount), 0.01);
    if (fault === 'future_timestamp') eventTimeMs = nowMs + knobs.futureTimestampOffsetMs;
    const transaction: Transaction = {
      transaction_id: `${this.idPrefix}-${seq}`,
      account_id: `acct-${String(accountIndex).padStart(6, '0')}`,
      amount_usd: Math.round(amount * 100) / 100,
      balance_usd:
        Math.round((balanceBase * knobs.balanceShift.scale + knobs.balanceShift.addUsd) * 100) /
        100,
      merchant_category_code: mcc,
      channel,
      device_fingerprint: fingerprint,
      event_time_ms: eventTimeMs,
    };
    if (fault !== 'malformed') return { fault, transaction };
    const garbage = this.garbageRandom;
    const length = 16 + garbage.int(49);
    const bytes = Buffer.alloc(length);
    for (let i = 0; i < length; i++) bytes[i] = garbage.int(256);
    bytes[0] = 0xff;
    return { fault, transaction, malformedBytes: bytes };
  }

  private mix(weights: Readonly<Record<string, number>> | undefined, base: Mix): Mix {
    if (!weights) return base;
    let mix = this.mixCache.get(weights);
    if (!mix) {
      mix = toMix(weights);
      this.mixCache.set(weights, mix);
    }
    return mix;
  }
}

/** One uniform draw picks at most one fault: the ratios are consecutive slices of [0, 1). */
function pickFault(knobs: FaultKnobs, u: number): FaultKind {
  let edge = knobs.malformedRatio;
  if (u < edge) return 'malformed';
  edge += knobs.negativeAmountRatio;
  if (u < edge) return 'negative_amount';
  edge += knobs.futureTimestampRatio;
  if (u < edge) return 'future_timestamp';
  edge += knobs.unregisteredSchemaIdRatio;
  if (u < edge) return 'unregistered_schema_id';
  edge += knobs.incompatibleSchemaRatio;
  if (u < edge) return 'incompatible_schema';
  return 'none';
}
