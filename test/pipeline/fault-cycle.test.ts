import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import {
  embeddedFaultScenarios,
  mergeFaults,
  noFaults,
  startFaultCycle,
  type FaultKnobs,
} from '../../pipeline/index.js';

describe('embedded fault cycle', () => {
  it('every scenario is a valid change of the knobs, and the clean one undoes the others', () => {
    let knobs: FaultKnobs = noFaults;
    for (const scenario of embeddedFaultScenarios) {
      knobs = mergeFaults(knobs, scenario.faults);
      const clean = mergeFaults(knobs, embeddedFaultScenarios[0]!.faults);
      assert.deepEqual(JSON.parse(JSON.stringify(clean)), JSON.parse(JSON.stringify(noFaults)));
    }
  });

  it('applies the scenarios in order, one per period, and loops', () => {
    mock.timers.enable({ apis: ['setInterval'] });
    try {
      const applied: string[] = [];
      const names = new Map(embeddedFaultScenarios.map((s) => [s.faults, s.name]));
      const stop = startFaultCycle({
        setFaults: (change) => applied.push(names.get(change) ?? '?'),
        scenarioMs: 1000,
      });
      assert.deepEqual(applied, ['clean'], 'the first scenario applies at once');
      mock.timers.tick(1000 * embeddedFaultScenarios.length);
      stop();
      mock.timers.tick(5000);
      assert.deepEqual(applied, [...embeddedFaultScenarios.map((s) => s.name), 'clean']);
    } finally {
      mock.timers.reset();
    }
  });
});
