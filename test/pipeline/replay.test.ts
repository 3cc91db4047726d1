import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import {
  FeatureState,
  jsonCodec,
  noFaults,
  processBatch,
  TransactionGenerator,
  type SourceRecord,
} from '../../pipeline/index.js';

/**
 * Item 1 of issue 9: after a failed write the consumer re-reads from its committed offsets with
 * the same FeatureState. The truth is a run without the failure: every feature record written
 * (the first copy and the replayed one) must equal the clean run's record for that transaction.
 */
const t0 = 1_700_000_000_000;
const partitions = 3;
const codec = jsonCodec();

/** Raw records of a few busy accounts over ~2.5 h of event time, in offset order per partition. */
function rawRecords(count: number, accounts: number, stepMs: number): SourceRecord[][] {
  const generator = new TransactionGenerator(7, accounts, 'replay');
  const byPartition: SourceRecord[][] = Array.from({ length: partitions }, () => []);
  for (let i = 0; i < count; i++) {
    // Some events arrive late (up to 90 s) so the windows see out-of-order times too.
    const lateMs = i % 11 === 0 ? 90_000 : 0;
    const { transaction } = generator.next(noFaults, t0 + i * stepMs - lateMs);
    const partition = Number(transaction.account_id.replace(/\D/g, '')) % partitions;
    const list = byPartition[partition]!;
    list.push({
      topic: 'raw',
      partition,
      offset: String(list.length),
      key: Buffer.from(transaction.account_id),
      value: Buffer.from(JSON.stringify(transaction)),
    });
  }
  return byPartition;
}

/** Batches as the consumer sees them: a slice of each partition from its read position. */
function nextBatch(data: SourceRecord[][], position: number[], size: number): SourceRecord[] {
  const batch: SourceRecord[] = [];
  for (let p = 0; p < partitions; p++) {
    const from = position[p]!;
    batch.push(...data[p]!.slice(from, from + size));
    position[p] = Math.min(data[p]!.length, from + size);
  }
  return batch;
}

type Features = Record<string, unknown>;
const withoutComputedAt = (value: Buffer | null): Features => {
  const { computed_at_ms: _ignored, ...rest } = JSON.parse(String(value)) as Features;
  return rest;
};

/**
 * Runs the batches through processBatch; `failAt(batchNumber)` answers the offsets to re-read
 * from after that batch (the committed position) or undefined. `commitEvery` batches, the
 * consumer "commits" (forgetBefore) what it read `lag` batches earlier.
 */
async function run(
  data: SourceRecord[][],
  options: {
    batchSize: number;
    failAt?: (batch: number, committed: number[]) => number[] | undefined;
    forgetLagBatches?: number;
  },
) {
  const state = new FeatureState();
  const outputs: { id: string; features: Features }[] = [];
  const position = Array.from({ length: partitions }, () => 0);
  const history: number[][] = [];
  let committed = [...position];
  for (let batchNo = 0; position.some((p, i) => p < data[i]!.length); batchNo++) {
    const batch = nextBatch(data, position, options.batchSize);
    const out = await processBatch(batch, {
      codec,
      state,
      nowMs: t0 + 10 * 3_600_000,
      maxFutureSkewMs: 300_000,
    });
    for (const m of out.features) {
      const features = withoutComputedAt(m.value);
      outputs.push({ id: String(features.transaction_id), features });
    }
    history.push([...position]);
    const lag = options.forgetLagBatches ?? 2;
    if (history.length > lag) {
      committed = history[history.length - 1 - lag]!;
      state.forgetBefore(committed.map((offset, partition) => ({ partition, offset })));
    }
    const rewind = options.failAt?.(batchNo, committed);
    if (rewind) for (let p = 0; p < partitions; p++) position[p] = rewind[p]!;
  }
  return { outputs, state };
}

describe('replay after a failed write (feature state)', () => {
  const data = rawRecords(9000, 6, 1000); // 6 accounts, one event a second: ~1500 per account

  it('gives every replayed record the features of a run without the failure', async () => {
    const clean = await run(data, { batchSize: 40 });
    const expected = new Map(clean.outputs.map((o) => [o.id, o.features]));
    assert.equal(expected.size, 9000);
    // Fail every 13th batch and re-read from the committed offsets (2 batches back), as
    // recover() does; some failures land right after a window re-sum of a busy account.
    const failed = await run(data, {
      batchSize: 40,
      failAt: (batch, committed) => (batch % 13 === 5 ? committed : undefined),
    });
    assert.ok(failed.outputs.length > expected.size + 1000, 'the failures replayed records');
    assert.ok(failed.state.replayedRecords > 1000, `${failed.state.replayedRecords} replayed`);
    assert.equal(failed.state.inexactReplays, 0, 'every replay restored exactly');
    let mismatches = 0;
    for (const o of failed.outputs) {
      if (!isDeepStrictEqual(o.features, expected.get(o.id))) mismatches++;
    }
    assert.equal(mismatches, 0, 'features after a recovery equal the clean run, bit for bit');
    const one = failed.outputs.find((o) => o.id === clean.outputs[8999]!.id)!;
    assert.deepEqual(one.features, clean.outputs[8999]!.features);
  });

  it('keeps undo memory bounded to the uncommitted records', async () => {
    const { state } = await run(data, { batchSize: 40, forgetLagBatches: 2 });
    // Two batches of 40 records per partition are not yet "committed" at the end.
    assert.ok(state.rememberedRecords <= 2 * 40 * partitions, `${state.rememberedRecords}`);
  });

  it('a replay from below the forgotten history counts each record once (inexact, counted)', async () => {
    const clean = await run(data, { batchSize: 40 });
    const expected = new Map(clean.outputs.map((o) => [o.id, o.features]));
    // Re-read from 6 batches back while only 2 are remembered: history is partly gone.
    const failed = await run(data, {
      batchSize: 40,
      failAt: (batch) =>
        batch === 30 ? Array.from({ length: partitions }, () => 25 * 40) : undefined,
    });
    assert.ok(failed.state.inexactReplays > 0, 'the inexact replays are counted');
    // Records past the replayed stretch see single-counted windows again.
    const last = failed.outputs.at(-1)!;
    assert.deepEqual(last.features, expected.get(last.id));
  });
});
