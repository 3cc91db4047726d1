import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { attributeDlqRecord, errorTypeOfClass } from '../../collector/index.js';

const int32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32BE(n);
  return b;
};
const int64 = (n: bigint) => {
  const b = Buffer.alloc(8);
  b.writeBigInt64BE(n);
  return b;
};

describe('DLQ header attribution', () => {
  it('reads pipewatch headers (the reference pipeline)', () => {
    const a = attributeDlqRecord({
      text: {
        'pipewatch.error.type': 'SEMANTIC_ERROR',
        'pipewatch.error.message': 'amount_usd is negative',
        'pipewatch.source.topic': 'raw.transactions',
        'pipewatch.source.partition': '2',
        'pipewatch.source.offset': '12345678901',
      },
    });
    assert.deepEqual(a, {
      convention: 'pipewatch',
      sourceTopic: 'raw.transactions',
      sourcePartition: 2,
      sourceOffset: '12345678901',
      errorType: 'SEMANTIC_ERROR',
      errorDetail: 'SEMANTIC_ERROR',
      errorMessage: 'amount_usd is negative',
    });
  });

  it('maps an unrecognised pipewatch error type to OTHER, a missing one to UNKNOWN', () => {
    const other = attributeDlqRecord({
      text: { 'pipewatch.error.type': 'DISK_FULL', 'pipewatch.source.topic': 't' },
    });
    assert.equal(other.errorType, 'OTHER');
    const missing = attributeDlqRecord({ text: { 'pipewatch.source.topic': 't' } });
    assert.equal(missing.errorType, 'UNKNOWN');
    assert.equal(missing.sourceTopic, 't');
  });

  it('reads Kafka Connect headers: class name first, stage when the class is unmapped', () => {
    const converter = attributeDlqRecord({
      text: {
        '__connect.errors.topic': 'orders',
        '__connect.errors.partition': '0',
        '__connect.errors.offset': '41',
        '__connect.errors.stage': 'VALUE_CONVERTER',
        '__connect.errors.exception.class.name': 'org.apache.kafka.connect.errors.DataException',
        '__connect.errors.exception.message': 'Converting byte[] to Kafka Connect data failed',
      },
    });
    assert.equal(converter.convention, 'kafka_connect');
    assert.equal(converter.sourceTopic, 'orders');
    assert.equal(converter.sourcePartition, 0);
    assert.equal(converter.sourceOffset, '41');
    assert.equal(converter.errorType, 'SCHEMA_VIOLATION');
    assert.equal(converter.errorDetail, 'org.apache.kafka.connect.errors.DataException');

    const sinkPut = attributeDlqRecord({
      text: {
        '__connect.errors.topic': 'orders',
        '__connect.errors.stage': 'TASK_PUT',
        '__connect.errors.exception.class.name': 'com.example.WarehouseRejectedException',
      },
    });
    assert.equal(sinkPut.errorType, 'DELIVERY_ERROR');
    assert.equal(sinkPut.errorDetail, 'TASK_PUT');

    const smt = attributeDlqRecord({
      text: {
        '__connect.errors.topic': 'orders',
        '__connect.errors.stage': 'TRANSFORMATION',
        '__connect.errors.exception.class.name': 'java.lang.NullPointerException',
      },
    });
    assert.equal(smt.errorType, 'COMPUTE_ERROR');

    const unmapped = attributeDlqRecord({
      text: {
        '__connect.errors.topic': 'orders',
        '__connect.errors.exception.class.name': 'com.example.Weird',
      },
    });
    assert.equal(unmapped.errorType, 'OTHER');
  });

  it('reads Spring headers, binary partition and offset, and prefers the cause class', () => {
    const a = attributeDlqRecord({
      text: {
        'kafka_dlt-original-topic': 'payments',
        'kafka_dlt-exception-fqcn':
          'org.springframework.kafka.listener.ListenerExecutionFailedException',
        'kafka_dlt-exception-cause-fqcn':
          'org.springframework.kafka.support.serializer.DeserializationException',
        'kafka_dlt-exception-message': 'failed to deserialize',
      },
      bytes: {
        'kafka_dlt-original-partition': int32(7),
        'kafka_dlt-original-offset': int64(9_007_199_254_740_993n),
      },
    });
    assert.equal(a.convention, 'spring');
    assert.equal(a.sourceTopic, 'payments');
    assert.equal(a.sourcePartition, 7);
    assert.equal(a.sourceOffset, '9007199254740993');
    assert.equal(a.errorType, 'SCHEMA_VIOLATION');
    assert.equal(a.errorMessage, 'failed to deserialize');

    const validation = attributeDlqRecord({
      text: {
        'kafka_dlt-original-topic': 'payments',
        'kafka_dlt-exception-fqcn': 'jakarta.validation.ConstraintViolationException',
      },
    });
    assert.equal(validation.errorType, 'SEMANTIC_ERROR');
    // The wrapper alone says nothing we know.
    const wrapped = attributeDlqRecord({
      text: {
        'kafka_dlt-original-topic': 'payments',
        'kafka_dlt-exception-fqcn':
          'org.springframework.kafka.listener.ListenerExecutionFailedException',
      },
    });
    assert.equal(wrapped.errorType, 'OTHER');
  });

  it('gives convention none, no source topic and UNKNOWN for a record with no known header', () => {
    const a = attributeDlqRecord({ text: { 'content-type': 'application/json' } });
    assert.equal(a.convention, 'none');
    assert.equal(a.sourceTopic, undefined);
    assert.equal(a.errorType, 'UNKNOWN');
  });

  it('ignores malformed numbers instead of guessing', () => {
    const a = attributeDlqRecord({
      text: {
        'pipewatch.source.topic': 't',
        'pipewatch.source.partition': 'two',
        'pipewatch.source.offset': '1e9',
      },
    });
    assert.equal(a.sourcePartition, undefined);
    assert.equal(a.sourceOffset, undefined);
  });

  it('maps exception classes by simple name, nested classes included', () => {
    assert.equal(
      errorTypeOfClass('org.apache.kafka.common.errors.SerializationException'),
      'SCHEMA_VIOLATION',
    );
    assert.equal(errorTypeOfClass('java.lang.IllegalArgumentException'), 'SEMANTIC_ERROR');
    assert.equal(errorTypeOfClass('java.sql.SQLException'), 'DELIVERY_ERROR');
    assert.equal(errorTypeOfClass('com.acme.Outer$NumberFormatException'), 'SEMANTIC_ERROR');
    assert.equal(errorTypeOfClass('com.acme.Unheard'), undefined);
  });
});
