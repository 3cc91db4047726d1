import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ReadingsBoard, renderBoard } from '../../monitor/index.js';

function board(): ReadingsBoard {
  const b = new ReadingsBoard();
  b.describe({
    name: 'pipewatch_dlq_ratio',
    help: 'DLQ records per source record.',
    type: 'gauge',
    labelNames: ['pipeline', 'source_topic', 'window'],
  });
  return b;
}

describe('readings board', () => {
  it('replaces a source’s readings on publish and filters by name and labels', () => {
    const b = board();
    const at = 1_000;
    b.publish('dlq', [
      {
        name: 'pipewatch_dlq_ratio',
        labels: { pipeline: 'p', source_topic: 'a', window: '5m' },
        value: 0.1,
        atMs: at,
      },
      {
        name: 'pipewatch_dlq_ratio',
        labels: { pipeline: 'p', source_topic: 'b', window: '5m' },
        value: 0.2,
        atMs: at,
      },
    ]);
    b.publish('dlq', [
      {
        name: 'pipewatch_dlq_ratio',
        labels: { pipeline: 'p', source_topic: 'b', window: '5m' },
        value: 0.3,
        atMs: at,
      },
    ]);
    const all = b.readings({ name: 'pipewatch_dlq_ratio' });
    assert.deepEqual(
      all.map((r) => [r.labels.source_topic, r.value]),
      [['b', 0.3]],
    );
    assert.equal(b.readings({ labels: { source_topic: 'a' } }).length, 0);
    b.clear('dlq');
    assert.equal(b.readings().length, 0);
  });

  it('rejects an undeclared metric, a missing label and a conflicting declaration', () => {
    const b = board();
    assert.throws(
      () => b.publish('x', [{ name: 'nope', labels: {}, value: 1, atMs: 0 }]),
      /undeclared/,
    );
    assert.throws(
      () =>
        b.publish('x', [
          { name: 'pipewatch_dlq_ratio', labels: { pipeline: 'p' }, value: 1, atMs: 0 },
        ]),
      /lacks label source_topic/,
    );
    assert.throws(
      () => b.describe({ name: 'pipewatch_dlq_ratio', help: '', type: 'counter', labelNames: [] }),
      /already declared/,
    );
  });

  it('renders Prometheus text with escaped labels and special values', () => {
    const b = board();
    b.publish('dlq', [
      {
        name: 'pipewatch_dlq_ratio',
        labels: { pipeline: 'p"1', source_topic: 'a\\b', window: '1h' },
        value: Infinity,
        atMs: 0,
      },
    ]);
    assert.equal(
      renderBoard(b),
      '# HELP pipewatch_dlq_ratio DLQ records per source record.\n' +
        '# TYPE pipewatch_dlq_ratio gauge\n' +
        'pipewatch_dlq_ratio{pipeline="p\\"1",source_topic="a\\\\b",window="1h"} +Inf\n',
    );
    b.clear('dlq');
    assert.equal(renderBoard(b), '', 'a metric with no readings is not rendered');
  });
});
