import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { binIndex } from '../../../detectors/index.js';
import { BinLocator } from '../../../detectors/windows/bin-locator.js';
import { seededRandom as rng } from '../../support/random.js';

describe('grid bin locator', () => {
  it('agrees with binary search on edges, between edges and at clustered edges', () => {
    const next = rng(5);
    const edgeLists = [
      Float64Array.of(1),
      Float64Array.of(-1, 1e-300, 2e-300, 1),
      Float64Array.from({ length: 300 }, () => next() ** 6 * 1e6)
        .sort()
        .filter((x, i, a) => i === 0 || x !== a[i - 1]),
      Float64Array.of(0.1, 0.1 + 2 ** -52, 0.30000000000000004, 0.3 + 2 ** -50, 7),
    ];
    for (const edges of edgeLists) {
      const locator = new BinLocator(edges);
      const probes = [...edges, ...edges.map((e) => e - 1e-12), -Infinity, Infinity];
      for (let i = 0; i < 20_000; i++) probes.push((next() - 0.1) * 1.2 * edges[edges.length - 1]!);
      for (const x of probes) assert.equal(locator.locate(x), binIndex(edges, x), `x = ${x}`);
    }
  });
});
