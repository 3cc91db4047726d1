import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { PipewatchError } from '../../common/index.js';
import { defaultPageLimit, listQuery, queryScalar } from './request.js';
import type { ZodTypeProvider } from '../route-schema.js';
import { silences as isSilenced, type NotifiedAlert } from '../../alerts/index.js';
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
  };
}

const alertsQuery = z
  .object({
    status: queryScalar(z.enum(['pending', 'firing', 'resolved'])).optional(),
    rule: queryScalar(z.string().max(200)).optional(),
  })
  .strict();
const historyQuery = listQuery({
  since: queryScalar(z.string().max(40)).optional().describe('RFC 3339 time; newer entries only'),
  rule: queryScalar(z.string().max(200)).optional(),
});

/**
 * Alertmanager's webhook payload (version 4). Only what routing needs is required, and fields
 * this version does not know are kept, not refused: a newer Alertmanager may add some.
 */
const webhookAlert = z
  .object({
    status: z.enum(['firing', 'resolved']),
    labels: z.record(z.string()),
    annotations: z.record(z.string()).optional(),
    startsAt: z.string().optional(),
    endsAt: z.string().optional(),
    generatorURL: z.string().optional(),
    fingerprint: z.string().optional(),
  })
  .passthrough();
const webhookBody = z
  .object({
    status: z.string().optional(),
    externalURL: z.string().optional(),
    alerts: z.array(webhookAlert).max(10_000),
  })
  .passthrough();

function parseTime(value: string | undefined, field: string): number | undefined {
  if (value === undefined || value.startsWith('0001-01-01')) return undefined;
  const ms = Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new PipewatchError(
      'BAD_REQUEST',
      `body.${field}: expected an RFC 3339 time, got '${value}'`,
      {
        field,
      },
    );
  }
  return ms;
}

/** GET /api/v1/alerts, /api/v1/alerts/history; POST /api/v1/alerts/webhook (Alertmanager's payload). */
export const alertRoutes: FastifyPluginAsync<AlertsRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const nowMs = options.nowMs ?? Date.now;

  app.get('/api/v1/alerts', { schema: { querystring: alertsQuery } }, async (request) => {
    const now = nowMs();
    const silenceList = options.silenceStore.list();
    const alerts = options.runtime
      .alerts()
      .filter((a) => request.query.status === undefined || a.status === request.query.status)
      .filter((a) => request.query.rule === undefined || a.rule === request.query.rule)
      .sort((a, b) => a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint))
      .map((a) => presentAlert(a, isSilenced(silenceList, a.labels, now)));
    return { alerts };
  });

  app.get('/api/v1/alerts/history', { schema: { querystring: historyQuery } }, async (request) => {
    const { since, rule, limit = defaultPageLimit, offset = 0 } = request.query;
    const sinceMs = parseTime(since, 'since');
    // Newest first; one entry past the page tells whether there is a next one.
    const entries = options.alertStore.history({ sinceMs, rule, limit: offset + limit + 1 });
    return {
      history: entries
        .slice(offset, offset + limit)
        .map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })),
      nextOffset: entries.length > offset + limit ? offset + limit : null,
    };
  });

  app.post(
    '/api/v1/alerts/webhook',
    { schema: { body: webhookBody }, bodyLimit: 8 * 1024 * 1024 },
    async (request) => {
      const now = nowMs();
      const alerts: NotifiedAlert[] = request.body.alerts.map((a, i) => {
        const startsAtMs = parseTime(a.startsAt, `alerts[${i}].startsAt`) ?? now;
        const endsAtMs = parseTime(a.endsAt, `alerts[${i}].endsAt`);
        return {
          fingerprint: fingerprint(a.labels),
          status: a.status,
          labels: a.labels,
          annotations: a.annotations ?? {},
          startsAtMs,
          endsAtMs: a.status === 'resolved' ? (endsAtMs ?? now) : undefined,
          value: undefined,
          generatorUrl: a.generatorURL ?? request.body.externalURL ?? '',
        };
      });
      options.runtime.ingestExternal(alerts, now);
      return { accepted: alerts.length };
    },
  );
};
