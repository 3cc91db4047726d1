import type { LabelSet } from './matchers.js';

/**
 * The alert state machine of one alert (one rule × one label set), as Prometheus runs it:
 *
 *   inactive ──condition true──► pending ──held for `for`──► firing ──condition false for
 *   `keep_firing_for`──► resolved ──(retained for the API, then dropped)
 *   pending ──condition false──► inactive (no notification: it never fired)
 *
 * `for: 0` goes straight from inactive to firing. Pure: `nowMs` is passed in.
 */
export type AlertStatus = 'pending' | 'firing' | 'resolved';

export interface AlertState {
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: string;
  /** Every label of the alert: the series' labels, the rule's labels, alertname, severity. */
  readonly labels: LabelSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly status: AlertStatus;
  /** The value that last met the condition (the number the notification shows). */
  readonly value: number;
  readonly threshold: number | undefined;
  /** When the condition first held (start of pending). */
  readonly activeAtMs: number;
  readonly firedAtMs: number | undefined;
  readonly resolvedAtMs: number | undefined;
  /** Last evaluation at which the condition held (drives keep_firing_for). */
  readonly lastTrueAtMs: number;
}

/** A state change; `from`/`to` 'inactive' means no state. Notifications follow firing/resolved. */
export interface Transition {
  readonly fingerprint: string;
  readonly from: AlertStatus | 'inactive';
  readonly to: AlertStatus | 'inactive';
  readonly atMs: number;
  readonly alert: AlertState;
}

/** An alert whose condition holds at this evaluation. */
export interface ActiveSample {
  readonly fingerprint: string;
  readonly rule: string;
  readonly severity: string;
  readonly labels: LabelSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly value: number;
  readonly threshold: number | undefined;
}

export interface StepTiming {
  readonly forMs: number;
  readonly keepFiringForMs: number;
  /** How long a resolved alert stays visible before it is dropped. */
  readonly resolvedRetentionMs: number;
}

/** Advances one rule's alerts by one evaluation. `previous` holds only this rule's alerts. */
export function stepAlerts(
  previous: ReadonlyMap<string, AlertState>,
  active: readonly ActiveSample[],
  timing: StepTiming,
  nowMs: number,
): { states: Map<string, AlertState>; transitions: Transition[] } {
  const states = new Map<string, AlertState>();
  const transitions: Transition[] = [];
  const change = (
    from: Transition['from'],
    alert: AlertState,
    to: Transition['to'] = alert.status,
  ) => transitions.push({ fingerprint: alert.fingerprint, from, to, atMs: nowMs, alert });

  for (const sample of active) {
    const prev = previous.get(sample.fingerprint);
    if (prev === undefined || prev.status === 'resolved') {
      const fires = timing.forMs === 0;
      const alert: AlertState = {
        ...sample,
        status: fires ? 'firing' : 'pending',
        activeAtMs: nowMs,
        firedAtMs: fires ? nowMs : undefined,
        resolvedAtMs: undefined,
        lastTrueAtMs: nowMs,
      };
      states.set(sample.fingerprint, alert);
      change(prev ? 'resolved' : 'inactive', alert);
      continue;
    }
    const fires = prev.status === 'firing' || nowMs - prev.activeAtMs >= timing.forMs;
    const alert: AlertState = {
      ...prev,
      annotations: sample.annotations,
      value: sample.value,
      threshold: sample.threshold,
      status: fires ? 'firing' : 'pending',
      firedAtMs: prev.firedAtMs ?? (fires ? nowMs : undefined),
      lastTrueAtMs: nowMs,
    };
    states.set(sample.fingerprint, alert);
    if (alert.status !== prev.status) change(prev.status, alert);
  }

  for (const [fp, prev] of previous) {
    if (states.has(fp)) continue;
    if (prev.status === 'pending') {
      change('pending', prev, 'inactive');
      continue;
    }
    if (prev.status === 'firing') {
      if (nowMs - prev.lastTrueAtMs < timing.keepFiringForMs) {
        states.set(fp, prev);
        continue;
      }
      const resolved: AlertState = { ...prev, status: 'resolved', resolvedAtMs: nowMs };
      states.set(fp, resolved);
      change('firing', resolved);
      continue;
    }
    // resolved: kept for a while so the API and a late reader still see it.
    if (nowMs - (prev.resolvedAtMs ?? nowMs) < timing.resolvedRetentionMs) states.set(fp, prev);
  }
  return { states, transitions };
}
