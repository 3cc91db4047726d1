import type { Logger } from 'pino';
import {
  defaultInhibitRules,
  emailNotifier,
  webhookNotifier,
  type DispatcherOptions,
  type Notifier,
} from '../../alerts/index.js';
import { PipewatchError } from '../../common/index.js';
import { watchedPipelines, type Config } from '../../config/index.js';
import { AlertsRuntime, loadRuleFiles, type ReadingsBoard } from '../../monitor/index.js';
import { compileMatcher, defaultRules, parseMatcher } from '../../rules/index.js';
import {
  sqliteAlertStore,
  sqliteExternalAlertStore,
  sqliteOutboxStore,
  sqliteSilenceStore,
  type AlertStore,
  type SilenceStore,
  type SqliteDatabase,
} from '../../store/index.js';
import type { Lifecycle } from '../lifecycle.js';

export interface AlertsDeps {
  readonly config: Readonly<Config>;
  readonly db: SqliteDatabase;
  readonly board: ReadingsBoard;
  readonly logger: Logger;
  /**
   * Base URL of the status page when `alerts.externalUrl` is unset: the URL the HTTP server
   * listens on. A function when the server starts after the alerts (serve: the HTTP app needs
   * them), read each time a URL is written, so `http.port: 0` gives the port really bound.
   */
  readonly httpUrl?: string | (() => string | undefined);
  readonly env?: Readonly<Record<string, string | undefined>>;
  readonly nowMs?: () => number;
  readonly random?: () => number;
}

function configError(key: string, message: string): PipewatchError {
  return new PipewatchError('CONFIG_INVALID', `${key}: ${message}`, { key });
}

/** The receivers the config names: `email`, each webhook by its name. */
export function buildNotifiers(
  config: Readonly<Config>,
  env: Readonly<Record<string, string | undefined>>,
): { notifiers: Map<string, Notifier>; close: () => void } {
  const notifiers = new Map<string, Notifier>();
  const closers: (() => void)[] = [];
  const email = config.alerts.email;
  if (email) {
    let auth: { user: string; password: string } | undefined;
    if (email.auth) {
      const password = env[email.auth.passwordEnv];
      if (password === undefined) {
        throw configError(
          'alerts.email.auth.passwordEnv',
          `environment variable ${email.auth.passwordEnv} is not set`,
        );
      }
      auth = { user: email.auth.user, password };
    }
    const n = emailNotifier({ ...email, auth });
    notifiers.set('email', n);
    closers.push(() => n.close());
  }
  for (const [i, w] of config.alerts.webhooks.entries()) {
    if (notifiers.has(w.name))
      throw configError(`alerts.webhooks.${i}.name`, `duplicate receiver ${w.name}`);
    notifiers.set(w.name, webhookNotifier(w.name, w.url, w.kind));
  }
  return { notifiers, close: () => closers.forEach((c) => c()) };
}

export function dispatcherOptions(
  config: Readonly<Config>,
  receivers: readonly string[],
  externalUrl: string | (() => string),
): DispatcherOptions {
  const urlOf = typeof externalUrl === 'function' ? externalUrl : () => externalUrl;
  const a = config.alerts;
  const routes = a.routes.map((r, i) => {
    if (!receivers.includes(r.receiver)) {
      throw configError(
        `alerts.routes.${i}.receiver`,
        `no receiver named ${r.receiver} (have: ${receivers.join(', ') || 'none'})`,
      );
    }
    return {
      matchers: r.matchers.map((m) => compileMatcher(parseMatcher(m)!)),
      receiver: r.receiver,
      continue: r.continue,
    };
  });
  for (const [i, r] of (a.defaultReceivers ?? []).entries()) {
    if (!receivers.includes(r))
      throw configError(`alerts.defaultReceivers.${i}`, `no receiver named ${r}`);
  }
  return {
    routes,
    defaultReceivers: a.defaultReceivers ?? receivers,
    groupBy: a.groupBy,
    groupWaitMs: a.groupWaitSeconds * 1000,
    groupIntervalMs: a.groupIntervalSeconds * 1000,
    repeatIntervalMs: a.repeatIntervalSeconds * 1000,
    sendResolved: a.sendResolved,
    sendResolvedWhenSilenced: a.sendResolvedWhenSilenced,
    inhibitRules: a.inhibitDefaults ? defaultInhibitRules() : [],
    // A getter: the dispatcher and the runtime read it when they write a notification.
    get externalUrl() {
      return urlOf();
    },
  };
}

/**
 * The status page's base URL: `alerts.externalUrl`, else the URL the HTTP server listens on
 * (a wildcard host given as 127.0.0.1), else, before it listens, the configured host and port.
 */
export function statusPageUrl(
  config: Readonly<Config>,
  httpUrl: AlertsDeps['httpUrl'],
): () => string {
  const configured = config.alerts.externalUrl;
  const host = config.http.host === '0.0.0.0' ? '127.0.0.1' : config.http.host;
  const fallback = `http://${host}:${config.http.port}`;
  return () => {
    if (configured !== undefined) return configured;
    const listening = typeof httpUrl === 'function' ? httpUrl() : httpUrl;
    if (listening === undefined) return fallback;
    const url = new URL(listening);
    if (url.hostname === '0.0.0.0' || url.hostname === '[::]') url.hostname = '127.0.0.1';
    return url.toString().replace(/\/+$/, '');
  };
}

/** Builds the alerts runtime from the config (rules, receivers, stores); timers not started. */
export interface BuiltAlerts {
  readonly runtime: AlertsRuntime;
  readonly alertStore: AlertStore;
  readonly silenceStore: SilenceStore;
  readonly close: () => void;
}

export function buildAlerts(deps: AlertsDeps): BuiltAlerts {
  const { config, db, board, logger } = deps;
  const env = deps.env ?? process.env;
  const { notifiers, close } = buildNotifiers(config, env);
  const externalUrl = statusPageUrl(config, deps.httpUrl);
  const alertStore = sqliteAlertStore(db);
  const silenceStore = sqliteSilenceStore(db);
  const runtime = new AlertsRuntime({
    board,
    alertStore,
    silenceStore,
    outboxStore: sqliteOutboxStore(db),
    externalStore: sqliteExternalAlertStore(db),
    externalLimits: {
      maxAlerts: config.alerts.external.maxAlerts,
      staleAfterMs: config.alerts.external.staleAfterSeconds * 1000,
      // As long as pipewatch's own resolved alerts stay listed (rules/engine.ts, 15 min).
      resolvedRetentionMs: 15 * 60_000,
    },
    defaultRules: config.rules.defaults ? defaultRules(watchedPipelines(config)) : [],
    fileRules: loadRuleFiles(config.rules.files),
    dispatcher: dispatcherOptions(config, [...notifiers.keys()], externalUrl),
    notifiers,
    alertmanagerUrls: config.alerts.alertmanagers.map((a) => a.url),
    backoff: config.alerts.outbox,
    evaluationIntervalMs: config.rules.evaluationIntervalSeconds * 1000,
    outboxPollIntervalMs: config.alerts.outbox.pollIntervalMs,
    nowMs: deps.nowMs ?? (() => Date.now()),
    random: deps.random ?? (() => Math.random()),
    logger: logger.child({ component: 'alerts' }),
  });
  return { runtime, alertStore, silenceStore, close };
}

/** Starts the alerts runtime in the service and registers its stop. */
export function startAlerts(deps: AlertsDeps & { lifecycle: Lifecycle }): BuiltAlerts {
  const built = buildAlerts(deps);
  const { runtime, close } = built;
  runtime.start();
  deps.lifecycle.add({
    name: 'alerts',
    stop: async () => {
      await runtime.stop();
      close();
    },
  });
  return built;
}
