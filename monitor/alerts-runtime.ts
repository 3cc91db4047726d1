import type { Logger } from 'pino';
import {
  Dispatcher,
  OutboxWorker,
  type DispatcherOptions,
  type ExternalAlert,
  type ExternalLimits,
  type NotifiedAlert,
  type Notifier,
  type OutboxStore,
  type ReceivedAlert,
} from '../alerts/index.js';
import { PipewatchError } from '../common/index.js';
import { parseRule, RuleEngine, type AlertState, type Rule } from '../rules/index.js';
import type { AlertStore, ExternalAlertStore, SilenceStore } from '../store/index.js';
import type { ReadingsBoard } from './board.js';
import { AlertmanagerPusher } from './alertmanager-push.js';
import { ExternalAlerts } from './external-alerts.js';

export type RuleSource = 'default' | 'file' | 'api';

export interface AlertsRuntimeOptions {
  readonly board: ReadingsBoard;
  readonly alertStore: AlertStore;
  readonly silenceStore: SilenceStore;
  readonly outboxStore: OutboxStore;
  /** Alerts received through the Alertmanager webhook, kept for listing (alerts.external). */
  readonly externalStore: ExternalAlertStore;
  readonly externalLimits: ExternalLimits;
  readonly defaultRules: readonly Rule[];
  readonly fileRules: readonly Rule[];
  readonly dispatcher: DispatcherOptions;
  readonly notifiers: ReadonlyMap<string, Notifier>;
  /** Alertmanagers that get every alert pushed (POST /api/v2/alerts). */
  readonly alertmanagerUrls: readonly string[];
  readonly backoff: { initialBackoffMs: number; maxBackoffMs: number; maxAttempts: number };
  readonly evaluationIntervalMs: number;
  readonly outboxPollIntervalMs: number;
  readonly nowMs: () => number;
  readonly random: () => number;
  readonly logger: Logger;
}

const firingMetric = 'pipewatch_alerts_firing';
/** Delivered notifications are kept 7 days, history 30 days; purged at most hourly. */
const outboxRetentionMs = 7 * 86_400_000;
const historyRetentionMs = 30 * 86_400_000;
const purgeEveryMs = 3_600_000;

/**
 * Ticks the rules over the board every evaluation interval: alert states are persisted (with
 * their history) before anything is sent, firing/resolved changes go through the dispatcher
 * (group, inhibit, silence) into the persistent outbox, and the outbox delivers. On start the
 * saved states are restored, and only changes not yet handed to the outbox are handed in
 * again, so a restart neither re-sends nor forgets.
 */
export class AlertsRuntime {
  private readonly engine: RuleEngine;
  private readonly dispatcher: Dispatcher;
  private readonly outbox: OutboxWorker;
  private readonly ruleSources = new Map<string, RuleSource>();
  private readonly apiRules = new Map<string, { input: unknown; rule: Rule }>();
  private timers: NodeJS.Timeout[] = [];
  private readonly alertmanagers: AlertmanagerPusher;
  private evaluating: Promise<void> | undefined;
  private lastPurgeMs = -Infinity;
  private readonly external: ExternalAlerts;

  constructor(private readonly o: AlertsRuntimeOptions) {
    o.board.describe({
      name: firingMetric,
      help: 'Alerts firing per rule (pipewatch rules evaluated over the readings board).',
      type: 'gauge',
      labelNames: ['rule', 'severity'],
    });
    for (const { name, rule } of o.alertStore.listRules()) {
      try {
        this.apiRules.set(name, { input: rule, rule: parseRule(rule, 'stored rule') });
      } catch (error) {
        o.logger.error({ err: error, rule: name }, 'stored rule no longer valid; ignored');
      }
    }
    const restored = o.alertStore.loadStates();
    this.engine = new RuleEngine(
      this.effectiveRules(),
      restored.map((r) => r.state),
    );
    this.dispatcher = new Dispatcher(o.dispatcher);
    this.alertmanagers = new AlertmanagerPusher(o.alertmanagerUrls, o.logger);
    this.dispatcher.restoreTimers(o.alertStore.loadGroupTimers());
    this.external = new ExternalAlerts({
      store: o.externalStore,
      limits: o.externalLimits,
      board: o.board,
      logger: o.logger,
      nowMs: o.nowMs,
    });
    for (const r of restored) {
      if (r.notifiedStatus !== null) this.handledStatus.set(r.state.fingerprint, r.notifiedStatus);
    }
    this.notifiedFiring = new Set(
      restored.filter((r) => r.notifiedStatus === 'firing').map((r) => r.state.fingerprint),
    );
    this.restoredPending = {
      atMs: o.nowMs(),
      // Firing alerts rejoin their groups even when already notified: the group's restored
      // timers know they were sent, so nothing is re-sent, and repeat_interval still applies.
      alerts: restored
        .filter(
          (r) =>
            r.state.status === 'firing' ||
            (r.state.status !== 'pending' && r.notifiedStatus !== r.state.status),
        )
        .map((r) => r.state),
      external: this.external.unhandled(),
    };
    this.outbox = new OutboxWorker({
      ...o.backoff,
      store: o.outboxStore,
      notifiers: o.notifiers,
      nowMs: o.nowMs,
      random: o.random,
      onError: (entry, error) =>
        o.logger.warn(
          { receiver: entry.receiver, attempts: entry.attempts + 1, err: (error as Error).message },
          'alert notification not delivered; will retry',
        ),
    });
    this.publishFiring();
  }

  /**
   * Restored changes not yet handed to the outbox. They go to the dispatcher before the first
   * evaluation or external alert, not in the constructor: their generator URLs name the status
   * page, whose URL (`http.port: 0`) is known only once the HTTP server listens. They are
   * handed in as of the start (`atMs`), so their group wait counts from then, as before.
   */
  private restoredPending:
    { atMs: number; alerts: AlertState[]; external: NotifiedAlert[] } | undefined;

  private ingestRestored(): void {
    const pending = this.restoredPending;
    if (pending === undefined) return;
    this.restoredPending = undefined;
    this.dispatcher.ingest(
      pending.alerts.map((a) => this.notified(a)),
      pending.atMs,
      (fp) => this.notifiedFiring.has(fp),
    );
    this.dispatcher.ingest(pending.external, pending.atMs, () => true);
  }

  /** Alerts whose firing was handed to the outbox (persisted as notified_status). */
  private readonly notifiedFiring: Set<string>;
  /** fingerprint → status last recorded as handled (mirrors alert_states.notified_status). */
  private readonly handledStatus = new Map<string, string>();

  private effectiveRules(): Rule[] {
    const byName = new Map<string, Rule>();
    this.ruleSources.clear();
    const put = (r: Rule, source: RuleSource) => {
      byName.set(r.alert, r);
      this.ruleSources.set(r.alert, source);
    };
    for (const r of this.o.defaultRules) put(r, 'default');
    for (const r of this.o.fileRules) put(r, 'file');
    for (const { rule } of this.apiRules.values()) put(rule, 'api');
    return [...byName.values()];
  }

  start(): void {
    this.timers.push(
      setInterval(() => void this.tick(this.o.nowMs()), this.o.evaluationIntervalMs),
      setInterval(() => void this.deliver(), this.o.outboxPollIntervalMs),
    );
    for (const t of this.timers) t.unref();
  }

  async stop(): Promise<void> {
    for (const t of this.timers) clearInterval(t);
    this.timers = [];
    await this.evaluating;
    await this.outbox.deliverDue().catch(() => 0);
    this.o.board.clear('alerts');
    this.external.clear();
  }

  /** One evaluation at `nowMs`: rules → states (persisted) → dispatcher → outbox → delivery. */
  async tick(nowMs: number): Promise<void> {
    const run = async () => {
      this.ingestRestored();
      this.dispatcher.ingest(this.external.expire(nowMs), nowMs, () => true);
      const result = this.engine.evaluate(this.o.board.readings(), nowMs);
      this.o.alertStore.saveEvaluation(result.alerts, result.transitions, nowMs);
      const changes = result.transitions.filter((t) => t.to === 'firing' || t.to === 'resolved');
      this.dispatcher.ingest(
        changes.map((t) => this.notified(t.alert)),
        nowMs,
        (fp) => this.notifiedFiring.has(fp),
      );
      for (const t of changes)
        if (t.to === 'resolved')
          this.alertmanagers.addResolved(t.fingerprint, this.notified(t.alert));
      this.flush(nowMs);
      this.publishFiring();
      if (nowMs - this.lastPurgeMs >= purgeEveryMs) {
        this.lastPurgeMs = nowMs;
        this.o.outboxStore.purge(nowMs - outboxRetentionMs);
        this.o.alertStore.purgeHistory(nowMs - historyRetentionMs);
      }
      await Promise.all([
        this.deliver(),
        this.alertmanagers.push(nowMs, changes.length > 0, () =>
          this.engine
            .alerts()
            .filter((a) => a.status === 'firing')
            .map((a) => this.notified(a)),
        ),
      ]);
    };
    const previous = this.evaluating;
    this.evaluating = (previous ?? Promise.resolve()).then(run).catch((error) => {
      this.o.logger.error({ err: error }, 'alert evaluation failed');
    });
    return this.evaluating;
  }

  /**
   * Alerts from elsewhere (Prometheus through its Alertmanager webhook): kept for listing
   * (bounded, persisted) and routed by pipewatch like its own.
   */
  ingestExternal(alerts: readonly ReceivedAlert[], nowMs: number): void {
    this.ingestRestored();
    // An alert pipewatch raised itself (Prometheus evaluating the exported rules gives the
    // same labels, so the same fingerprint) is pipewatch's to notify: routing the copy too
    // would send receivers a second notification of one incident.
    const own = new Set(this.engine.alerts().map((a) => a.fingerprint));
    const notOwn = <A extends { fingerprint: string }>(list: readonly A[]) =>
      list.filter((a) => !own.has(a.fingerprint));
    this.dispatcher.ingest(notOwn(this.external.expire(nowMs)), nowMs, () => true);
    this.external.receive(alerts, nowMs);
    this.dispatcher.ingest(
      notOwn(alerts).map(({ sentEndsAtMs: _ends, ...a }) => a),
      nowMs,
      () => true,
    );
    this.flush(nowMs);
    void this.deliver();
  }

  private flush(nowMs: number): void {
    const firing = this.engine.alerts().filter((a) => a.status === 'firing');
    const out = this.dispatcher.flush(nowMs, { silences: this.o.silenceStore.list(), firing });
    for (const { dedupeKey, notification } of out) {
      this.o.outboxStore.enqueue(dedupeKey, notification, nowMs);
    }
    // What the dispatcher has taken care of (sent, muted or dropped) no longer needs re-feeding.
    // Only alerts whose handled status changed are written.
    const handled = this.engine
      .alerts()
      .filter((a) => a.status !== 'pending' && this.handledStatus.get(a.fingerprint) !== a.status);
    for (const status of ['firing', 'resolved'] as const) {
      const fps = handled
        .filter((a) => a.status === status && !this.pendingInDispatcher(a))
        .map((a) => a.fingerprint);
      if (fps.length === 0) continue;
      this.o.alertStore.markNotified(fps, status);
      for (const fp of fps) {
        this.handledStatus.set(fp, status);
        if (status === 'firing') this.notifiedFiring.add(fp);
        else this.notifiedFiring.delete(fp);
      }
    }
    const live = new Set(this.engine.alerts().map((a) => a.fingerprint));
    for (const fp of this.handledStatus.keys()) if (!live.has(fp)) this.handledStatus.delete(fp);
    this.external.markHandled((fp, status) => this.dispatcher.holds(fp, status));
    this.saveGroupTimers(nowMs);
  }

  /** Written only when a group's timers changed (most ticks change nothing). */
  private saveGroupTimers(nowMs: number): void {
    const timers = this.dispatcher.timers();
    const json = JSON.stringify(timers);
    if (json === this.savedTimersJson) return;
    this.o.alertStore.saveGroupTimers(timers, nowMs);
    this.savedTimersJson = json;
  }
  private savedTimersJson: string | undefined;

  private pendingInDispatcher(a: AlertState): boolean {
    return this.dispatcher.holds(a.fingerprint, a.status);
  }

  private async deliver(): Promise<number> {
    try {
      return await this.outbox.deliverDue();
    } catch (error) {
      this.o.logger.error({ err: error }, 'outbox pass failed');
      return 0;
    }
  }

  /** Waits until every due outbox entry had one delivery attempt (tests, shutdown). */
  deliverNow(): Promise<number> {
    return this.outbox.deliverDue();
  }

  private publishFiring(): void {
    const counts = new Map<string, { severity: string; n: number }>();
    for (const r of this.engine.rules()) counts.set(r.alert, { severity: r.severity, n: 0 });
    for (const a of this.engine.alerts()) {
      const c = counts.get(a.rule);
      if (c && a.status === 'firing') c.n++;
    }
    const atMs = this.o.nowMs();
    this.o.board.publish(
      'alerts',
      [...counts].map(([rule, c]) => ({
        name: firingMetric,
        labels: { rule, severity: c.severity },
        value: c.n,
        atMs,
      })),
    );
  }

  alerts(): AlertState[] {
    return this.engine.alerts();
  }

  /** Alerts received through the Alertmanager webhook (firing, and resolved for 15 min). */
  externalAlerts(): ExternalAlert[] {
    return this.external.list();
  }

  private notified(a: AlertState): NotifiedAlert {
    return {
      fingerprint: a.fingerprint,
      status: a.status === 'resolved' ? 'resolved' : 'firing',
      labels: a.labels,
      annotations: a.annotations,
      startsAtMs: a.firedAtMs ?? a.activeAtMs,
      endsAtMs: a.status === 'resolved' ? a.resolvedAtMs : undefined,
      value: a.value,
      // The status page's list of this rule's alerts (GET /api/v1/alerts filters by `rule`).
      generatorUrl: `${this.o.dispatcher.externalUrl.replace(/\/$/, '')}/api/v1/alerts?rule=${encodeURIComponent(a.rule)}`,
    };
  }

  listRules(): { rule: Rule; source: RuleSource }[] {
    return this.engine
      .rules()
      .map((rule) => ({ rule, source: this.ruleSources.get(rule.alert) ?? 'default' }));
  }

  /** Validates and stores an API rule (replacing one of the same name; it wins over a default). */
  putRule(name: string, input: unknown): Rule {
    const rule = parseRule(input, 'rule');
    if (rule.alert !== name) {
      throw new PipewatchError(
        'RULE_INVALID',
        `rule ${name}: field alert: must equal the name in the path (${rule.alert})`,
        {
          rule: name,
          field: 'alert',
        },
      );
    }
    this.o.alertStore.putRule(name, input, this.o.nowMs());
    this.apiRules.set(name, { input, rule });
    this.engine.setRules(this.effectiveRules());
    this.publishFiring();
    return rule;
  }

  deleteRule(name: string): void {
    if (!this.apiRules.has(name)) {
      const source = this.ruleSources.get(name);
      throw new PipewatchError(
        source ? 'CONFLICT' : 'NOT_FOUND',
        source
          ? `rule ${name} comes from the ${source} rules, not the API; change it there`
          : `no rule ${name}`,
        { rule: name },
      );
    }
    this.o.alertStore.deleteRule(name);
    this.apiRules.delete(name);
    this.engine.setRules(this.effectiveRules());
  }
}
