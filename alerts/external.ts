import type { LabelSet } from '../rules/index.js';
import type { NotifiedAlert } from './types.js';

/**
 * Alerts received through the Alertmanager webhook, kept so they can be listed beside
 * pipewatch's own. Pure: the known alerts and `nowMs` in, what changed out; the caller
 * persists and dispatches.
 *
 * Lifetime of one alert (keyed by pipewatch's Prometheus-compatible fingerprint):
 *   (none) ──firing copy──► firing ──resolved copy, or expiry passed──► resolved ──retention──► dropped
 *   resolved ──firing copy──► firing (it fired again)
 *
 * Expiry: Alertmanager writes the zero time as the endsAt of every firing alert in a
 * notification (dispatch.go, "Ensure that alerts don't resolve as time move forwards"), and
 * re-sends a group that keeps firing unchanged only every repeat_interval (default 4 h; the next
 * group_interval tick after it). So a firing alert with no endsAt expires `staleAfterMs` after it
 * was last received: long enough to outlive one repeat_interval + group_interval, short enough
 * that an Alertmanager that went away does not leave it firing for ever. A sender that does
 * state a future endsAt (Alertmanager's own API semantics) is taken at its word.
 */
export type AlertSource = 'pipewatch' | 'alertmanager';

export interface ExternalAlert {
  readonly fingerprint: string;
  readonly labels: LabelSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly status: 'firing' | 'resolved';
  readonly startsAtMs: number;
  /** When it resolved (the sender's endsAt, or its expiry); undefined while firing. */
  readonly resolvedAtMs: number | undefined;
  /** Who resolved it: a resolved copy from the sender, or pipewatch at its expiry. */
  readonly resolvedBy?: 'sender' | 'expiry';
  /** A firing alert resolves at this time unless it is received again. */
  readonly expiresAtMs: number;
  readonly lastSeenAtMs: number;
  readonly generatorUrl: string;
}

/** A received alert: the dispatcher's copy plus the endsAt the sender wrote (firing too). */
export interface ReceivedAlert extends NotifiedAlert {
  readonly sentEndsAtMs: number | undefined;
}

export interface ExternalTransition {
  readonly fingerprint: string;
  /** 'inactive': not known here before. */
  readonly from: 'inactive' | 'firing' | 'resolved';
  readonly to: 'firing' | 'resolved';
  readonly atMs: number;
  readonly alert: ExternalAlert;
  /** True when pipewatch resolved it because its expiry passed (nothing was received). */
  readonly expired: boolean;
}

export interface ExternalLimits {
  /** Most alerts kept; resolved ones are evicted first, then new ones are not kept. */
  readonly maxAlerts: number;
  /** A firing alert with no future endsAt expires this long after it was last received. */
  readonly staleAfterMs: number;
  /** A resolved alert stays listed this long (pipewatch's own: 15 min, as Prometheus). */
  readonly resolvedRetentionMs: number;
}

export interface ExternalChanges {
  readonly upserts: ExternalAlert[];
  readonly deletes: string[];
  readonly transitions: ExternalTransition[];
  /** Alerts not kept because the bound was reached with every kept alert firing. */
  readonly dropped: number;
}

/** Folds received alerts into the known ones. `known` is not modified. */
export function receiveExternal(
  known: ReadonlyMap<string, ExternalAlert>,
  incoming: readonly ReceivedAlert[],
  nowMs: number,
  limits: ExternalLimits,
): ExternalChanges {
  const next = new Map(known);
  const upserts = new Map<string, ExternalAlert>();
  const deletes = new Set<string>();
  const transitions: ExternalTransition[] = [];
  let dropped = 0;
  // Eviction candidates, oldest resolution first; computed once, not per new alert.
  let evictable: ExternalAlert[] | undefined;
  const makeRoom = (): boolean => {
    if (next.size < limits.maxAlerts) return true;
    evictable ??= [...next.values()]
      .filter((a) => a.status === 'resolved')
      .sort((a, b) => (a.resolvedAtMs ?? 0) - (b.resolvedAtMs ?? 0));
    while (evictable.length > 0) {
      const victim = evictable.shift()!;
      if (next.get(victim.fingerprint)?.status !== 'resolved') continue;
      next.delete(victim.fingerprint);
      upserts.delete(victim.fingerprint);
      deletes.add(victim.fingerprint);
      return true;
    }
    return false;
  };
  for (const a of incoming) {
    const prev = next.get(a.fingerprint);
    // Alertmanager's ResolvedAt: a firing alert whose endsAt has passed is resolved.
    const endedAtMs =
      a.status === 'resolved'
        ? (a.sentEndsAtMs ?? nowMs)
        : a.sentEndsAtMs !== undefined && a.sentEndsAtMs <= nowMs
          ? a.sentEndsAtMs
          : undefined;
    const status = endedAtMs === undefined ? 'firing' : 'resolved';
    // A firing copy of the very alert (same start) its sender already resolved is an old
    // notification arriving late (Alertmanager retries a failed delivery): not a new firing.
    // After an expiry it is not: the sender says the alert still fires.
    if (
      status === 'firing' &&
      prev?.status === 'resolved' &&
      prev.resolvedBy === 'sender' &&
      prev.startsAtMs === a.startsAtMs
    ) {
      continue;
    }
    if (!prev && !makeRoom()) {
      dropped++;
      continue;
    }
    const alert: ExternalAlert = {
      fingerprint: a.fingerprint,
      labels: a.labels,
      annotations: a.annotations,
      status,
      startsAtMs: a.startsAtMs,
      resolvedAtMs: endedAtMs,
      ...(status === 'resolved' ? { resolvedBy: 'sender' as const } : {}),
      expiresAtMs:
        status === 'firing'
          ? (a.sentEndsAtMs ?? nowMs + limits.staleAfterMs)
          : (endedAtMs ?? nowMs),
      lastSeenAtMs: nowMs,
      generatorUrl: a.generatorUrl,
    };
    next.set(a.fingerprint, alert);
    upserts.set(a.fingerprint, alert);
    deletes.delete(a.fingerprint);
    const from = prev?.status ?? 'inactive';
    if (from !== status) {
      transitions.push({
        fingerprint: a.fingerprint,
        from,
        to: status,
        atMs: endedAtMs ?? nowMs,
        alert,
        expired: false,
      });
    }
  }
  return { upserts: [...upserts.values()], deletes: [...deletes], transitions, dropped };
}

/** Resolves the firing alerts whose expiry passed; drops resolved ones past their retention. */
export function expireExternal(
  known: ReadonlyMap<string, ExternalAlert>,
  nowMs: number,
  limits: ExternalLimits,
): ExternalChanges {
  const upserts: ExternalAlert[] = [];
  const deletes: string[] = [];
  const transitions: ExternalTransition[] = [];
  for (const a of known.values()) {
    if (a.status === 'firing' && a.expiresAtMs <= nowMs) {
      const alert: ExternalAlert = {
        ...a,
        status: 'resolved',
        resolvedAtMs: a.expiresAtMs,
        resolvedBy: 'expiry',
      };
      upserts.push(alert);
      transitions.push({
        fingerprint: a.fingerprint,
        from: 'firing',
        to: 'resolved',
        atMs: a.expiresAtMs,
        alert,
        expired: true,
      });
    } else if (
      a.status === 'resolved' &&
      (a.resolvedAtMs ?? a.lastSeenAtMs) + limits.resolvedRetentionMs <= nowMs &&
      a.lastSeenAtMs + limits.resolvedRetentionMs <= nowMs
    ) {
      deletes.push(a.fingerprint);
    }
  }
  return { upserts, deletes, transitions, dropped: 0 };
}

/** The dispatcher's copy of an external alert's state. */
export function notifiedExternal(a: ExternalAlert): NotifiedAlert {
  return {
    fingerprint: a.fingerprint,
    status: a.status,
    labels: a.labels,
    annotations: a.annotations,
    startsAtMs: a.startsAtMs,
    endsAtMs: a.status === 'resolved' ? a.resolvedAtMs : undefined,
    value: undefined,
    generatorUrl: a.generatorUrl,
  };
}
