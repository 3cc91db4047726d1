import assert from 'node:assert/strict';
import { describe, it, mock } from 'node:test';
import {
  embeddedFaultScenarios,
  faultCyclePeriods,
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

  it('applies the scenarios in order, each for its periods, and loops', () => {
    mock.timers.enable({ apis: ['setTimeout'] });
    try {
      const applied: string[] = [];
      const names = new Map(embeddedFaultScenarios.map((s) => [s.faults, s.name]));
      const stop = startFaultCycle({
        setFaults: (change) => applied.push(names.get(change) ?? '?'),
        scenarioMs: 1000,
      });
      assert.deepEqual(applied, ['clean'], 'the first scenario applies at once');
      const amount = embeddedFaultScenarios.findIndex((s) => s.name === 'amount-drift');
      let elapsedMs = 0;
      for (let i = 0; i < amount; i++) {
        mock.timers.tick(1000);
        elapsedMs += 1000;
      }
      assert.equal(applied.at(-1), 'amount-drift');
      mock.timers.tick(1000);
      elapsedMs += 1000;
      assert.equal(applied.at(-1), 'amount-drift', 'the drift lasts two periods');
      // One period at a time: a timer set inside a tick runs on a later tick.
      for (; elapsedMs < 1000 * faultCyclePeriods(); elapsedMs += 1000) mock.timers.tick(1000);
      assert.equal(faultCyclePeriods(), embeddedFaultScenarios.length + 2);
      stop();
      mock.timers.tick(5000);
      assert.deepEqual(applied, [...embeddedFaultScenarios.map((s) => s.name), 'clean']);
    } finally {
      mock.timers.reset();
    }
  });
});
