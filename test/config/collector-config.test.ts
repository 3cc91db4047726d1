import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isPipewatchError } from '../../common/index.js';
import { parseConfig } from '../../config/index.js';

describe('collector configuration', () => {
  it('defaults: no per-topic formats, documented registry timings, 20 samples', () => {
    // collector.partitionSeries and collector.offsets: test/collector/offsets/config.test.ts.
    const {
      partitionSeries: _series,
      offsets: _offsets,
      ...collector
    } = parseConfig({}, {}).collector;
    assert.deepEqual(collector, {
      topicFormats: {},
      registryTimeoutMs: 2000,
      unknownSchemaIdTtlMs: 10_000,
      schemaVerdictTtlMs: 60_000,
      registryRetryAfterMs: 1000,
      violationSamplesPerKind: 20,
      tap: {
        maxBatchRecords: 2000,
        prefetchMaxKbytes: 65_536,
        prefetchMaxRecords: 1_000_000,
        fetchMaxWaitMs: 100,
        commitIntervalMs: 5000,
      },
      freshnessIntervalMs: 1000,
    });
  });

  it('takes a format and an optional subject per topic', () => {
    const { collector } = parseConfig(
      {
        collector: {
          topicFormats: {
            'raw.transactions': { format: 'avro', subject: 'transactions' },
            'clicks.json': { format: 'json' },
          },
        },
      },
      {},
    );
    assert.deepEqual(collector.topicFormats, {
      'raw.transactions': { format: 'avro', subject: 'transactions' },
      'clicks.json': { format: 'json' },
    });
  });

  it('rejects an unknown format, naming the key', () => {
    assert.throws(
      () => parseConfig({ collector: { topicFormats: { t: { format: 'protobuf' } } } }, {}),
      (error) => {
        assert.ok(isPipewatchError(error));
        assert.equal(error.code, 'CONFIG_INVALID');
        assert.match(error.message, /collector\.topicFormats\.t\.format/);
        return true;
      },
    );
  });
});
