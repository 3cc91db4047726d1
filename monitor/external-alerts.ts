import type { Logger } from 'pino';
import {
  expireExternal,
  notifiedExternal,
  receiveExternal,
  type ExternalAlert,
  type ExternalChanges,
  type ExternalLimits,
  type NotifiedAlert,
  type ReceivedAlert,
} from '../alerts/index.js';
import type { ExternalAlertStore } from '../store/index.js';
import type { ReadingsBoard } from './board.js';

export interface ExternalAlertsOptions {
  readonly store: ExternalAlertStore;
  readonly limits: ExternalLimits;
  readonly board: ReadingsBoard;
  readonly logger: Logger;
  readonly nowMs: () => number;
}

const keptMetric = 'pipewatch_external_alerts';
const droppedMetric = 'pipewatch_external_alerts_dropped_total';
const boardSource = 'alerts-external';

/**
 * The alerts received through the Alertmanager webhook, held in memory and in SQLite
 * (`alert_external`), for the listing, the history and the status page. Their counts go on the
 * board under their own names, never into `pipewatch_alerts_firing`: Prometheus scrapes that
 * metric, and alerts Prometheus itself raised counted back into it would feed back (a rule on
 * pipewatch_alerts_firing would fire because Prometheus' own alerts fire).
 */
export class ExternalAlerts {
  private readonly known = new Map<string, ExternalAlert>();
  /** fingerprint → status last handed on by the dispatcher (sent, muted or dropped). */
  private readonly handled = new Map<string, string>();
  private droppedTotal = 0;

  constructor(private readonly o: ExternalAlertsOptions) {
    o.board.describe({
      name: keptMetric,
      help: 'Alerts received through the Alertmanager webhook and kept for listing, per status.',
      type: 'gauge',
      labelNames: ['status'],
    });
    o.board.describe({
      name: droppedMetric,
      help: 'Received alerts not kept for listing because alerts.external.maxAlerts was reached (still routed).',
      type: 'counter',
      labelNames: [],
    });
    for (const { alert, notifiedStatus } of o.store.load()) {
      this.known.set(alert.fingerprint, alert);
      if (notifiedStatus !== null) this.handled.set(alert.fingerprint, notifiedStatus);
    }
    this.publish();
  }

  /**
   * Kept alerts whose last change the dispatcher never handled (the process stopped within a
   * group wait): handed in again once after a restart. The outbox's dedupe key (fingerprint,
   * status, start) keeps a change that was already enqueued from being delivered twice.
   */
  unhandled(): NotifiedAlert[] {
    return [...this.known.values()]
      .filter((a) => this.handled.get(a.fingerprint) !== a.status)
      .map(notifiedExternal);
  }

  receive(alerts: readonly ReceivedAlert[], nowMs: number): void {
    const changes = receiveExternal(this.known, alerts, nowMs, this.o.limits);
    this.droppedTotal += changes.dropped;
    this.apply(changes);
    if (changes.dropped > 0) {
      this.o.logger.warn(
        {
          dropped: changes.dropped,
          droppedTotal: this.droppedTotal,
          maxAlerts: this.o.limits.maxAlerts,
        },
        'external alerts not kept for listing: alerts.external.maxAlerts reached with every kept alert firing (still routed to the receivers)',
      );
    }
  }

  /** Resolves the expired; returns their resolved copies for the dispatcher. */
  expire(nowMs: number): NotifiedAlert[] {
    const changes = expireExternal(this.known, nowMs, this.o.limits);
    if (changes.upserts.length === 0 && changes.deletes.length === 0) return [];
    this.apply(changes);
    if (changes.transitions.length > 0) {
      this.o.logger.info(
        { alerts: changes.transitions.map((t) => t.alert.labels.alertname ?? t.fingerprint) },
        'external alerts resolved: not received again before their expiry',
      );
    }
    return changes.transitions.map((t) => notifiedExternal(t.alert));
  }

  /** Records as handled the kept alerts the dispatcher no longer holds in their status. */
  markHandled(holds: (fingerprint: string, status: string) => boolean): void {
    for (const status of ['firing', 'resolved'] as const) {
      const fps = [...this.known.values()]
        .filter(
          (a) =>
            a.status === status &&
            this.handled.get(a.fingerprint) !== status &&
            !holds(a.fingerprint, status),
        )
        .map((a) => a.fingerprint);
      if (fps.length === 0) continue;
      this.o.store.markNotified(fps, status);
      for (const fp of fps) this.handled.set(fp, status);
    }
  }

  list(): ExternalAlert[] {
    return [...this.known.values()];
  }

  clear(): void {
    this.o.board.clear(boardSource);
  }

  private apply(changes: ExternalChanges): void {
    this.o.store.apply(changes);
    for (const fp of changes.deletes) {
      this.known.delete(fp);
      this.handled.delete(fp);
    }
    for (const a of changes.upserts) this.known.set(a.fingerprint, a);
    this.publish();
  }

  private publish(): void {
    const atMs = this.o.nowMs();
    const count = (status: string) => [...this.known.values()].filter((a) => a.status === status);
    this.o.board.publish(boardSource, [
      ...['firing', 'resolved'].map((status) => ({
        name: keptMetric,
        labels: { status },
        value: count(status).length,
        atMs,
      })),
      { name: droppedMetric, labels: {}, value: this.droppedTotal, atMs },
    ]);
  }
}
