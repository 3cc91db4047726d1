import assert from 'node:assert/strict';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { describe, it } from 'node:test';
import {
  registryUnavailableKind,
  SchemaViolationRecorder,
  type TappedRecord,
} from '../../collector/index.js';
import { publishSchemaViolations, ReadingsBoard, renderBoard } from '../../monitor/index.js';
import { promSample } from '../support/drift.js';

function tapped(topic: string, offset: number): TappedRecord {
  return {
    topic,
    partition: 0,
    offset: String(offset),
    timestampMs: 1_700_000_000_000,
    key: null,
    headers: {},
    value: null,
  };
}

describe('schema violations on the readings board', () => {
  it('publishes running totals by (topic, kind) and lookup failures by topic, as counters', async () => {
    const recorder = new SchemaViolationRecorder({});
    const board = new ReadingsBoard();
    const stop = publishSchemaViolations(board, recorder, () => 5);
    assert.equal(renderBoard(board), '', 'nothing before the first bad record');
    for (let i = 0; i < 3; i++) recorder.onUndecodable(tapped('raw', i), 'unknown_schema_id', 'x');
    recorder.onUndecodable(tapped('raw', 3), 'not_wire_format', 'x');
    recorder.onUndecodable(tapped('features', 0), registryUnavailableKind, 'down');
    recorder.onUndecodable(tapped('features', 1), registryUnavailableKind, 'down');
    // Coalesced: published once the current turn ends.
    await nextTurn();
    const text = renderBoard(board);
    assert.match(text, /^# TYPE pipewatch_schema_violations_total counter$/m);
    assert.match(text, /^# TYPE pipewatch_schema_lookup_failures_total counter$/m);
    const family = 'pipewatch_schema_violations_total';
    assert.equal(promSample(text, family, { topic: 'raw', kind: 'unknown_schema_id' }), 3);
    assert.equal(promSample(text, family, { topic: 'raw', kind: 'not_wire_format' }), 1);
    // A registry outage says nothing about the producer: not a violation.
    assert.equal(promSample(text, family, { topic: 'features' }), undefined);
    assert.equal(
      promSample(text, 'pipewatch_schema_lookup_failures_total', { topic: 'features' }),
      2,
    );
    // After stop the last totals stay readable; later counts are not published.
    stop();
    recorder.onUndecodable(tapped('raw', 4), 'not_wire_format', 'x');
    await nextTurn();
    const after = renderBoard(board);
    assert.equal(promSample(after, family, { topic: 'raw', kind: 'not_wire_format' }), 1);
    assert.equal(board.readings({ name: family }).length, 2);
  });

  it('starts every kind of every watched topic at 0, so increase() sees the first bad record', async () => {
    const recorder = new SchemaViolationRecorder({});
    const board = new ReadingsBoard();
    const stop = publishSchemaViolations(board, recorder, () => 5, ['raw', 'features']);
    const family = 'pipewatch_schema_violations_total';
    const zeros = board.readings({ name: family });
    assert.equal(zeros.length, 2 * 7, 'seven wire violation kinds per watched topic');
    assert.ok(zeros.every((r) => r.value === 0));
    assert.deepEqual(
      board
        .readings({ name: 'pipewatch_schema_lookup_failures_total' })
        .map((r) => [r.labels.topic, r.value]),
      [
        ['raw', 0],
        ['features', 0],
      ],
    );
    recorder.onUndecodable(tapped('raw', 0), 'no_magic_byte', 'x');
    await nextTurn();
    const text = renderBoard(board);
    assert.equal(promSample(text, family, { topic: 'raw', kind: 'no_magic_byte' }), 1);
    assert.equal(promSample(text, family, { topic: 'features', kind: 'no_magic_byte' }), 0);
    assert.equal(board.readings({ name: family }).length, 14, 'no series added or lost');
    stop();
  });
});
