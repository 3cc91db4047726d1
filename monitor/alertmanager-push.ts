import type { Logger } from 'pino';
import { postToAlertmanager, type NotifiedAlert } from '../alerts/index.js';

/** How often firing alerts are re-posted to Alertmanager (Prometheus' resend delay). */
const alertmanagerResendMs = 60_000;

/**
 * Pushes pipewatch's alerts to Alertmanagers (POST /api/v2/alerts) as Prometheus does: on every
 * change, and every firing alert again each minute, because Alertmanager resolves an alert that
 * is not re-sent. A resolved alert is kept until one push reached every Alertmanager.
 */
export class AlertmanagerPusher {
  private lastPushMs = -Infinity;
  private readonly resolved = new Map<string, NotifiedAlert>();

  constructor(
    private readonly urls: readonly string[],
    private readonly logger: Logger,
  ) {}

  /** An alert that resolved: pushed with its endsAt until every Alertmanager has it. */
  addResolved(fingerprint: string, alert: NotifiedAlert): void {
    if (this.urls.length > 0) this.resolved.set(fingerprint, alert);
  }

  async push(nowMs: number, changed: boolean, firing: () => NotifiedAlert[]): Promise<void> {
    if (this.urls.length === 0) return;
    if (!changed && nowMs - this.lastPushMs < alertmanagerResendMs) return;
    this.lastPushMs = nowMs;
    const alerts = [...firing(), ...this.resolved.values()];
    if (alerts.length === 0) return;
    const results = await Promise.allSettled(this.urls.map((u) => postToAlertmanager(u, alerts)));
    if (results.every((r) => r.status === 'fulfilled')) this.resolved.clear();
    for (const r of results) {
      if (r.status === 'rejected')
        this.logger.warn(
          { err: String(r.reason) },
          'Alertmanager push failed; resent next interval',
        );
    }
  }
}
