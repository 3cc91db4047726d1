// The byte-level number parser must agree bit for bit with Number() on every accepted line.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseCategoricalColumn, parseNumericColumn } from '../../cli/commands/drift-input.js';
import { normal, seededRandom } from '../support/random.js';

describe('drift input parsing', () => {
  it('parses decimals exactly like Number()', () => {
    const random = seededRandom(5);
    const texts: string[] = [];
    for (let i = 0; i < 20000; i++) {
      const x = normal(random) * 10 ** Math.floor(random() * 12 - 6);
      texts.push(
        String(x),
        x.toFixed(Math.floor(random() * 10)),
        x.toPrecision(1 + Math.floor(random() * 17)),
      );
    }
    texts.push('0', '-0', '+3', '1.', '.5', '-.25', '007', '1e3', '2.5E-7', '123456789012345678');
    texts.push('0.1000000000000000055511151231257827', '9007199254740993', '1e-320');
    const column = parseNumericColumn(Buffer.from(texts.join('\n')), 'mem');
    const expected = Float64Array.from(texts.map(Number)).sort();
    assert.equal(column.sorted.length, expected.length);
    for (let i = 0; i < expected.length; i++) {
      assert.ok(Object.is(column.sorted[i], expected[i]), `${column.sorted[i]} vs ${expected[i]}`);
    }
  });

  it('counts empty lines, null and NA as nulls and rejects everything else', () => {
    const column = parseNumericColumn(Buffer.from('1\n\nnull\r\n  NA \n2\n'), 'f.txt');
    assert.deepEqual([...column.sorted], [1, 2]);
    assert.equal(column.nullCount, 3);
    assert.equal(column.rowCount, 5);
    for (const bad of ['0x10', 'Infinity', 'NaN', '1,5', '1e400', 'abc', '- 1', '1 2']) {
      assert.throws(
        () => parseNumericColumn(Buffer.from(`1\n${bad}\n`), 'f.txt'),
        (error: Error & { code?: string }) =>
          error.code === 'DRIFT_INPUT_INVALID' && error.message.startsWith('f.txt:2:'),
        bad,
      );
    }
    assert.throws(() => parseNumericColumn(Buffer.from('\nNA\n'), 'f.txt'), /no non-null values/);
  });

  it('keeps categorical lines as trimmed strings', () => {
    const column = parseCategoricalColumn(Buffer.from('a\n b \r\nNA\n\nc d\n'), 'f.txt');
    assert.deepEqual(column.values, ['a', 'b', 'c d']);
    assert.equal(column.nullCount, 2);
  });
});
