import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { defaultPageLimit, listQuery, nextOffset, queryScalar } from './request.js';
import type { ZodTypeProvider } from '../route-schema.js';
import {
  silences as isSilenced,
  type ExternalAlert,
  type ReceivedAlert,
} from '../../alerts/index.js';
import type { AlertsRuntime } from '../../monitor/index.js';
import { fingerprint, type AlertState } from '../../rules/index.js';
import type { AlertStore, SilenceStore } from '../../store/index.js';

export interface AlertsRoutesOptions {
  readonly runtime: AlertsRuntime;
  readonly alertStore: AlertStore;
  readonly silenceStore: SilenceStore;
  /** Clock; default Date.now. */
  readonly nowMs?: () => number;
}

const iso = (ms: number | undefined) => (ms === undefined ? null : new Date(ms).toISOString());

export function presentAlert(a: AlertState, silenced: boolean) {
  return {
    source: 'pipewatch' as 'pipewatch' | 'alertmanager',
    fingerprint: a.fingerprint,
    rule: a.rule,
    status: a.status,
    severity: a.severity,
    silenced,
    labels: a.labels,
    annotations: a.annotations,
    value: Number.isFinite(a.value) ? a.value : null,
    threshold: a.threshold ?? null,
    activeAt: iso(a.activeAtMs),
    firedAt: iso(a.firedAtMs),
    resolvedAt: iso(a.resolvedAtMs),
    expiresAt: null as string | null,
  };
}

/** An alert received through the webhook, in the same shape (its rule is its alertname). */
export function presentExternalAlert(
  a: ExternalAlert,
  silenced: boolean,
): ReturnType<typeof presentAlert> {
  return {
    source: 'alertmanager',
    fingerprint: a.fingerprint,
    rule: a.labels.alertname ?? '',
    status: a.status,
    severity: a.labels.severity ?? '',
    silenced,
    labels: a.labels,
    annotations: a.annotations,
    value: null,
    threshold: null,
    activeAt: iso(a.startsAtMs),
    firedAt: iso(a.startsAtMs),
    resolvedAt: iso(a.resolvedAtMs),
    expiresAt: a.status === 'firing' ? iso(a.expiresAtMs) : null,
  };
}

/**
 * An RFC 3339 time (`2026-01-05T12:00:00Z`, `2026-01-05T12:00:00.5+02:00`, or a date), read as
 * ms since the epoch. Alertmanager's zero time (`0001-01-01T00:00:00Z`: "not set") reads as
 * undefined.
 */
const rfc3339Pattern =
  /^\d{4}-\d{2}-\d{2}([Tt ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?([Zz]|[+-]\d{2}:\d{2}))?$/;
const rfc3339 = z
  .string()
  .max(40)
  .regex(rfc3339Pattern, 'must be an RFC 3339 time such as 2026-01-05T12:00:00Z')
  .refine((v) => Number.isFinite(Date.parse(v)), 'must be an RFC 3339 time that exists')
  .transform((v) => (v.startsWith('0001-01-01') ? undefined : Date.parse(v)));

const ruleName = z.string().max(200).describe('rule (alert) name');
const sourceName = z
  .enum(['pipewatch', 'alertmanager'])
  .describe('pipewatch: its own rules; alertmanager: received through the webhook');
const alertsQuery = z
  .object({
    status: queryScalar(z.enum(['pending', 'firing', 'resolved']))
      .optional()
      .describe('only alerts in this state'),
    rule: queryScalar(ruleName).optional().describe('only alerts of this rule'),
    source: queryScalar(sourceName).optional().describe('only alerts from this source'),
  })
  .strict();
const historyQuery = listQuery({
  since: queryScalar(rfc3339).optional().describe('RFC 3339 time; newer entries only'),
  rule: queryScalar(ruleName).optional().describe('only entries of this rule'),
  source: queryScalar(sourceName).optional().describe('only entries from this source'),
});

/**
 * Alertmanager's webhook payload (version 4). Only what routing needs is required, and fields
 * this version does not know are kept, not refused: a newer Alertmanager may add some.
 */
const webhookAlert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string()).describe("the alert's labels; its fingerprint is their hash"),
    annotations: z.record(z.string()).optional(),
    startsAt: rfc3339.optional().describe('RFC 3339; default: when received'),
    endsAt: rfc3339
      .optional()
      .describe('RFC 3339; the zero time 0001-01-01T00:00:00Z means not set'),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional().describe("Alertmanager's fingerprint (not used)"),
  })
  .passthrough();
const webhookBody = z
  .object({
    status: z.string().optional(),
    externalURL: z.string().optional().describe('link of the alerts without a generatorURL'),
    alerts: z.array(webhookAlert).max(10_000),
  })
  .passthrough()
  .describe("Alertmanager's webhook payload (version 4); unknown fields are kept, not refused");

const isoTime = (what: string) =>
  z.string().nullable().describe(`${what} (ISO 8601); null: not (yet)`);
const stringMap = z.record(z.string());
const alertAnswer = z
  .object({
    source: sourceName,
    fingerprint: z.string().describe('stable id of the alert: a hash of its labels'),
    rule: z.string().describe('the rule (alert name) that raised it'),
    status: z.enum(['pending', 'firing', 'resolved']),
    severity: z.string().describe('critical, warning or info (webhook alerts: their label)'),
    silenced: z.boolean().describe('an active silence matches it now'),
    labels: stringMap.describe('every label: the series, the rule labels, alertname, severity'),
    annotations: stringMap.describe('rendered annotations (summary, description, runbook_url)'),
    value: z.number().nullable().describe('the value that last met the condition; null: none'),
    threshold: z.number().nullable().describe('the threshold it was compared with; null: none'),
    activeAt: isoTime('when the condition first held'),
    firedAt: isoTime('when it started firing'),
    resolvedAt: isoTime('when it resolved'),
    expiresAt: isoTime(
      'alertmanager alerts that fire: when it resolves unless received again (pipewatch: always null)',
    ),
  })
  .strict() satisfies z.ZodType<ReturnType<typeof presentAlert>>;
const alertsAnswer = z
  .object({
    alerts: z
      .array(alertAnswer)
      .describe(
        "sorted by rule, then fingerprint; a fingerprint both sources hold is listed once, as pipewatch's",
      ),
  })
  .strict()
  .describe(
    "The alerts pipewatch's rules raised (pending, firing, resolved) and those received through the webhook (firing, resolved)",
  );

// Read back from SQLite as text; the values are the engine's states.
const transitionStatus = z.string();
const historyEntry = z
  .object({
    id: z.number().int().describe('entry id, increasing'),
    fingerprint: z.string(),
    rule: z.string(),
    from: transitionStatus.describe('state before: inactive (none), pending, firing, resolved'),
    to: transitionStatus.describe('state after: inactive (none), pending, firing, resolved'),
    atMs: z.number().describe('when, ms since the epoch'),
    at: z.string().describe('when (ISO 8601)'),
    value: z.number().nullable().describe('the value at the change; null: none'),
    labels: stringMap,
    annotations: stringMap,
    source: sourceName,
  })
  .strict();
const historyAnswer = z
  .object({
    history: z.array(historyEntry).describe('state changes, newest first'),
    nextOffset,
  })
  .strict()
  .describe('State changes of the alerts, newest first');
const webhookAnswer = z
  .object({ accepted: z.number().int().nonnegative().describe('alerts taken, count') })
  .strict()
  .describe(
    'The alerts were handed to the dispatcher (routes, silences, inhibition) and kept for GET /api/v1/alerts',
  );

/** GET /api/v1/alerts, /api/v1/alerts/history; POST /api/v1/alerts/webhook (Alertmanager's payload). */
export const alertRoutes: FastifyPluginAsync<AlertsRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const nowMs = options.nowMs ?? Date.now;

  app.get(
    '/api/v1/alerts',
    { schema: { querystring: alertsQuery, response: { 200: alertsAnswer } } },
    async (request) => {
      const now = nowMs();
      const silenceList = options.silenceStore.list();
      const { status, rule, source } = request.query;
      const own = options.runtime.alerts();
      // Prometheus evaluating pipewatch's exported rules raises the same label set, hence the
      // same fingerprint: one alert, listed once, as pipewatch's (it holds the value).
      const ownFingerprints = new Set(own.map((a) => a.fingerprint));
      const alerts = [
        ...own.map((a) => presentAlert(a, isSilenced(silenceList, a.labels, now))),
        ...options.runtime
          .externalAlerts()
          .filter((a) => !ownFingerprints.has(a.fingerprint))
          .map((a) => presentExternalAlert(a, isSilenced(silenceList, a.labels, now))),
      ]
        .filter((a) => status === undefined || a.status === status)
        .filter((a) => rule === undefined || a.rule === rule)
        .filter((a) => source === undefined || a.source === source)
        .sort((a, b) => a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint));
      return { alerts };
    },
  );

  app.get(
    '/api/v1/alerts/history',
    { schema: { querystring: historyQuery, response: { 200: historyAnswer } } },
    async (request) => {
      const { since: sinceMs, rule, source, limit = defaultPageLimit, offset = 0 } = request.query;
      // Newest first; one entry past the page tells whether there is a next one.
      const entries = options.alertStore.history({
        sinceMs,
        rule,
        source,
        limit: offset + limit + 1,
      });
      return {
        history: entries
          .slice(offset, offset + limit)
          .map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })),
        nextOffset: entries.length > offset + limit ? offset + limit : null,
      };
    },
  );

  app.post(
    '/api/v1/alerts/webhook',
    {
      schema: { body: webhookBody, response: { 200: webhookAnswer } },
      bodyLimit: 8 * 1024 * 1024,
    },
    async (request) => {
      const now = nowMs();
      const alerts: ReceivedAlert[] = request.body.alerts.map((a) => ({
        fingerprint: fingerprint(a.labels),
        status: a.status,
        labels: a.labels,
        annotations: a.annotations ?? {},
        startsAtMs: a.startsAt ?? now,
        endsAtMs: a.status === 'resolved' ? (a.endsAt ?? now) : undefined,
        // Alertmanager sends the zero time (undefined here) for firing alerts.
        sentEndsAtMs: a.endsAt,
        value: undefined,
        generatorUrl: a.generatorURL ?? request.body.externalURL ?? '',
      }));
      options.runtime.ingestExternal(alerts, now);
      return { accepted: alerts.length };
    },
  );
};
