import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseConfig } from '../../config/index.js';

describe('pipeline configuration section', () => {
  it('has documented defaults', () => {
    const config = parseConfig({}, {});
    assert.equal(config.pipeline.format, 'avro');
    assert.equal(config.pipeline.producer.ratePerSecond, 50);
    assert.equal(config.pipeline.producer.faults.malformedRatio, 0);
    assert.equal(config.pipeline.producer.faults.paused, false);
    assert.equal(config.pipeline.consumer.mode, 'microbatch');
    assert.equal(config.pipeline.consumer.transactional, false);
    assert.equal(config.pipeline.consumer.maxFutureSkewMs, 300_000);
    assert.equal(config.pipeline.consumer.maxBatchRecords, 2000);
    assert.equal(config.pipeline.consumer.maxInFlightBatches, 4);
    assert.deepEqual(config.pipeline.consumer.warmup, {
      enabled: true,
      maxRecordsPerPartition: 1_000_000,
      latenessMarginMs: 300_000,
      timeoutMs: 120_000,
    });
  });

  it('names an unknown key and a bad knob', () => {
    assert.throws(
      () => parseConfig({ pipeline: { producer: { rate: 5 } } }, {}),
      /unknown key pipeline\.producer\.rate/,
    );
    assert.throws(
      () =>
        parseConfig(
          { pipeline: { producer: { faults: { malformedRatio: 0.7, negativeAmountRatio: 0.7 } } } },
          {},
        ),
      /pipeline\.producer\.faults.*sum must be <= 1/,
    );
    assert.throws(
      () =>
        parseConfig(
          { pipeline: { producer: { faults: { merchantCategoryWeights: { '54': 1 } } } } },
          {},
        ),
      /merchantCategoryWeights/,
    );
    assert.throws(
      () => parseConfig({ pipeline: { consumer: { maxBatchRecords: 0 } } }, {}),
      /pipeline\.consumer\.maxBatchRecords/,
    );
    assert.throws(
      () => parseConfig({ pipeline: { consumer: { warmup: { maxRecords: 5 } } } }, {}),
      /pipeline\.consumer\.warmup\.maxRecords/,
    );
  });
});
