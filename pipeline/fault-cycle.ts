import type { Logger } from 'pino';
import type { FaultKnobs } from './faults.js';

/** A named set of knob changes applied for one step of the cycle. */
export interface FaultScenario {
  readonly name: string;
  readonly faults: Partial<FaultKnobs>;
  /** How many scenario periods (`faultScenarioSeconds`) the step lasts. Default 1. */
  readonly periods?: number;
}

const clean: Partial<FaultKnobs> = {
  malformedRatio: 0,
  negativeAmountRatio: 0,
  futureTimestampRatio: 0,
  unregisteredSchemaIdRatio: 0,
  incompatibleSchemaRatio: 0,
  amountShift: { addUsd: 0, scale: 1 },
  balanceShift: { addUsd: 0, scale: 1 },
  channelWeights: undefined,
  merchantCategoryWeights: undefined,
  deviceFingerprintNullRate: undefined,
  paused: false,
};

/**
 * The embedded default's demonstration cycle: clean stretches between faults, so each fault
 * starts and ends visibly (a DLQ burst above 0.1 %, schema violations, a mean shift and a mix
 * change for the drift detectors, a pause for freshness). Each scenario replaces the previous.
 *
 * The two drift scenarios last two periods: with the default drift window (5 min sliding by
 * 30 s, flagged after 3 consecutive drifting slides) the flag needs about 2.5 minutes of
 * drifted data, so a one-period (2 min) drift was only flagged after it had ended, during the
 * next clean stretch (measured in a 30-minute run, issue 9 item 14).
 */
export const embeddedFaultScenarios: readonly FaultScenario[] = [
  { name: 'clean', faults: clean },
  { name: 'dlq-burst', faults: { ...clean, malformedRatio: 0.01, negativeAmountRatio: 0.01 } },
  { name: 'clean', faults: clean },
  {
    name: 'schema-faults',
    faults: { ...clean, unregisteredSchemaIdRatio: 0.01, incompatibleSchemaRatio: 0.01 },
  },
  { name: 'clean', faults: clean },
  {
    name: 'amount-drift',
    faults: { ...clean, amountShift: { addUsd: 40, scale: 1.5 } },
    periods: 2,
  },
  { name: 'clean', faults: clean },
  {
    name: 'channel-mix-and-nulls',
    faults: {
      ...clean,
      channelWeights: { ecommerce: 6, card_present: 1, contactless: 1, atm: 0.2 },
      deviceFingerprintNullRate: 0.7,
    },
    periods: 2,
  },
  { name: 'pause', faults: { ...clean, paused: true } },
];

/**
 * Applies the scenarios in turn, each for `periods` × `scenarioMs`, starting with the first, and
 * loops. Returns a stop function; the knobs are left as the last scenario set them.
 */
export function startFaultCycle(options: {
  readonly setFaults: (change: Partial<FaultKnobs>) => unknown;
  readonly scenarioMs: number;
  readonly scenarios?: readonly FaultScenario[];
  readonly logger?: Logger;
}): () => void {
  const scenarios = options.scenarios ?? embeddedFaultScenarios;
  let index = 0;
  let timer: NodeJS.Timeout | undefined;
  let stopped = false;
  const apply = () => {
    if (stopped) return;
    const scenario = scenarios[index % scenarios.length];
    index++;
    if (!scenario) return;
    options.setFaults(scenario.faults);
    options.logger?.info({ scenario: scenario.name }, 'embedded pipeline fault scenario');
    timer = setTimeout(apply, options.scenarioMs * (scenario.periods ?? 1));
    timer.unref();
  };
  apply();
  return () => {
    stopped = true;
    clearTimeout(timer);
  };
}

/** Length of one pass through the scenarios, in scenario periods. */
export function faultCyclePeriods(scenarios: readonly FaultScenario[] = embeddedFaultScenarios) {
  return scenarios.reduce((sum, s) => sum + (s.periods ?? 1), 0);
}
