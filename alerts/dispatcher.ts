import {
  compileMatcher,
  fingerprint,
  matchesAll,
  type CompiledMatcher,
  type LabelSet,
} from '../rules/index.js';
import { silences, type Silence } from './silences.js';
import type { Notification, NotifiedAlert } from './types.js';

/**
 * Alertmanager's notification pipeline, in process: route → group → (wait) → inhibit → silence
 * → dedup → outbox. Time is passed in. A group is flushed `groupWaitMs` after its first alert,
 * then at most every `groupIntervalMs` when its content changed, and every `repeatIntervalMs`
 * while it fires unchanged. Each emitted notification carries a dedupe key built from its
 * content (fingerprint, status, start of every alert), so the outbox delivers it once even
 * when the same change is handed in again after a restart.
 */
export interface Route {
  readonly matchers: readonly CompiledMatcher[];
  readonly receiver: string;
  readonly continue: boolean;
}

export interface InhibitRule {
  readonly source: readonly CompiledMatcher[];
  readonly target: readonly CompiledMatcher[];
  /** Labels that must be equal on source and target (the pipeline). */
  readonly equal: readonly string[];
}

export interface DispatcherOptions {
  readonly routes: readonly Route[];
  readonly defaultReceivers: readonly string[];
  readonly groupBy: readonly string[];
  readonly groupWaitMs: number;
  readonly groupIntervalMs: number;
  readonly repeatIntervalMs: number;
  readonly sendResolved: boolean;
  readonly sendResolvedWhenSilenced: boolean;
  readonly inhibitRules: readonly InhibitRule[];
  readonly externalUrl: string;
}

export interface OutgoingNotification {
  readonly dedupeKey: string;
  readonly notification: Notification;
}

interface Group {
  readonly receiver: string;
  readonly key: string;
  readonly labels: LabelSet;
  readonly alerts: Map<string, NotifiedAlert>;
  readonly createdAtMs: number;
  lastFlushAtMs: number | undefined;
  /** fingerprint → status last notified to this receiver. */
  lastSent: Map<string, string>;
  lastSentAtMs: number;
  /** Alerts handed in since the last flush. */
  readonly unflushed: Set<string>;
}

/**
 * What a group remembers between flushes: when it was created, last flushed and last sent, and
 * which status it last sent for each alert. Saved by the runtime, so a restart keeps
 * repeat_interval and group_interval counting from the real sends.
 */
export interface GroupTimers {
  readonly key: string;
  readonly createdAtMs: number;
  readonly lastFlushAtMs: number | null;
  readonly lastSentAtMs: number;
  /** fingerprint → status last notified to the group's receiver. */
  readonly lastSent: Readonly<Record<string, string>>;
}

/** What a flush needs to know about the world: silences and every firing alert (inhibition). */
export interface FlushContext {
  readonly silences: readonly Silence[];
  readonly firing: readonly { labels: LabelSet }[];
}

export class Dispatcher {
  private readonly groups = new Map<string, Group>();
  /** Alerts (by receiver:fingerprint) whose firing was muted: their resolved may be sent if configured. */
  private readonly mutedWhileFiring = new Set<string>();

  /** Saved timers of groups not yet re-created since the restart, by group key. */
  private readonly restoredTimers = new Map<string, GroupTimers>();

  constructor(private readonly options: DispatcherOptions) {}

  /** Timers saved before a restart: a group re-created under the same key takes them over. */
  restoreTimers(timers: readonly GroupTimers[]): void {
    for (const t of timers) this.restoredTimers.set(t.key, t);
  }

  /** The timers of every live group (to save). */
  timers(): GroupTimers[] {
    return [...this.groups.values()].map((g) => ({
      key: g.key,
      createdAtMs: g.createdAtMs,
      lastFlushAtMs: g.lastFlushAtMs ?? null,
      lastSentAtMs: g.lastSentAtMs,
      lastSent: Object.fromEntries(g.lastSent),
    }));
  }

  /** Receivers of an alert: routes in order, first match wins unless `continue`. */
  receiversOf(labels: LabelSet): string[] {
    const out: string[] = [];
    for (const r of this.options.routes) {
      if (!matchesAll(r.matchers, labels)) continue;
      if (!out.includes(r.receiver)) out.push(r.receiver);
      if (!r.continue) return out;
    }
    return out.length > 0 ? out : [...this.options.defaultReceivers];
  }

  /**
   * Hands in alert changes (a firing or a resolved alert). `notifiedFiring` tells, for a
   * resolved alert, that its firing was notified before this process started.
   */
  ingest(
    alerts: readonly NotifiedAlert[],
    nowMs: number,
    notifiedFiring: (fp: string) => boolean = () => false,
  ): void {
    for (const alert of alerts) {
      for (const receiver of this.receiversOf(alert.labels)) {
        const groupLabels: Record<string, string> = {};
        for (const l of this.options.groupBy)
          if (alert.labels[l] !== undefined) groupLabels[l] = alert.labels[l];
        const key = `${receiver}:{}/${fingerprint(groupLabels)}`;
        let g = this.groups.get(key);
        if (!g) {
          const saved = this.restoredTimers.get(key);
          this.restoredTimers.delete(key);
          g = {
            receiver,
            key,
            labels: groupLabels,
            alerts: new Map(),
            createdAtMs: saved?.createdAtMs ?? nowMs,
            lastFlushAtMs: saved?.lastFlushAtMs ?? undefined,
            lastSent: new Map(Object.entries(saved?.lastSent ?? {})),
            lastSentAtMs: saved?.lastSentAtMs ?? nowMs,
            unflushed: new Set(),
          };
          this.groups.set(key, g);
        }
        if (
          alert.status === 'resolved' &&
          !g.lastSent.has(alert.fingerprint) &&
          notifiedFiring(alert.fingerprint)
        ) {
          g.lastSent.set(alert.fingerprint, 'firing');
        }
        g.alerts.set(alert.fingerprint, alert);
        g.unflushed.add(alert.fingerprint);
      }
    }
  }

  /** Notifications due at `nowMs`. */
  flush(nowMs: number, context: FlushContext): OutgoingNotification[] {
    const out: OutgoingNotification[] = [];
    for (const g of this.groups.values()) {
      const due =
        g.lastFlushAtMs === undefined
          ? nowMs >= g.createdAtMs + this.options.groupWaitMs
          : nowMs >= g.lastFlushAtMs + this.options.groupIntervalMs;
      if (!due) continue;
      const visible: NotifiedAlert[] = [];
      for (const a of g.alerts.values()) {
        const mutedKey = `${g.receiver}:${a.fingerprint}`;
        const muted =
          silences(context.silences, a.labels, nowMs) || this.inhibited(a, context.firing);
        if (a.status === 'firing') {
          if (muted) this.mutedWhileFiring.add(mutedKey);
          else visible.push(a);
          continue;
        }
        const wasSent = g.lastSent.get(a.fingerprint) === 'firing';
        const wasMuted = this.mutedWhileFiring.has(mutedKey);
        this.mutedWhileFiring.delete(mutedKey);
        if (!this.options.sendResolved) continue;
        if (wasSent && (!muted || this.options.sendResolvedWhenSilenced)) visible.push(a);
        else if (wasMuted && this.options.sendResolvedWhenSilenced) visible.push(a);
      }
      g.lastFlushAtMs = nowMs;
      g.unflushed.clear();
      const sent = new Map(visible.map((a) => [a.fingerprint, a.status]));
      const changed =
        sent.size !== g.lastSent.size || [...sent].some(([fp, s]) => g.lastSent.get(fp) !== s);
      const repeat =
        !changed &&
        visible.some((a) => a.status === 'firing') &&
        nowMs - g.lastSentAtMs >= this.options.repeatIntervalMs;
      if (visible.length > 0 && (changed || repeat)) {
        visible.sort((a, b) => a.fingerprint.localeCompare(b.fingerprint));
        const content = visible
          .map((a) => `${a.fingerprint}@${a.status}@${a.startsAtMs}`)
          .join(',');
        out.push({
          dedupeKey: `${g.key}|${content}${repeat ? `|repeat@${nowMs}` : ''}`,
          notification: {
            receiver: g.receiver,
            groupKey: g.key,
            groupLabels: g.labels,
            status: visible.some((a) => a.status === 'firing') ? 'firing' : 'resolved',
            alerts: visible,
            externalUrl: this.options.externalUrl,
          },
        });
        g.lastSentAtMs = nowMs;
      }
      // Keep what was notified as firing (so its resolved is known to be due); drop the resolved.
      g.lastSent = new Map([...sent].filter(([, s]) => s === 'firing'));
      for (const [fp, a] of g.alerts) if (a.status === 'resolved') g.alerts.delete(fp);
      if (g.alerts.size === 0) this.groups.delete(g.key);
    }
    return out;
  }

  /** True while an alert's change (in this status) waits in a group for its flush. */
  holds(fp: string, status: string): boolean {
    for (const g of this.groups.values()) {
      if (g.unflushed.has(fp) && g.alerts.get(fp)?.status === status) return true;
    }
    return false;
  }

  private inhibited(alert: NotifiedAlert, firing: readonly { labels: LabelSet }[]): boolean {
    for (const rule of this.options.inhibitRules) {
      if (!matchesAll(rule.target, alert.labels)) continue;
      for (const source of firing) {
        if (source.labels === alert.labels || !matchesAll(rule.source, source.labels)) continue;
        if (matchesAll(rule.source, alert.labels)) continue; // an alert never inhibits itself
        if (rule.equal.every((l) => (source.labels[l] ?? '') === (alert.labels[l] ?? '')))
          return true;
      }
    }
    return false;
  }
}

/** The default inhibition: a stale or stopped pipeline mutes its own DLQ and drift alerts. */
export function defaultInhibitRules(): InhibitRule[] {
  const m = (label: string, op: '=' | '=~', value: string) => compileMatcher({ label, op, value });
  const targets = [m('alertname', '=~', 'DLQRatioHigh|FeatureDriftDetected')];
  return [
    { source: [m('alertname', '=', 'PipelineStale')], target: targets, equal: ['pipeline'] },
    {
      source: [m('alertname', '=', 'ConsumerGroupUnhealthy'), m('status', '=', 'STOP')],
      target: targets,
      equal: ['pipeline'],
    },
  ];
}
