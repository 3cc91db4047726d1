import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { PipewatchError } from '../../common/index.js';
import { defaultPageLimit, listQuery, pageQueryProperties, parsePart } from './request.js';
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

const alertsQuery = {
  type: 'object',
  properties: {
    status: { type: 'string', enum: ['pending', 'firing', 'resolved'] },
    rule: { type: 'string', maxLength: 200 },
  },
  additionalProperties: false,
} as const;
const historyQuery = {
  type: 'object',
  properties: {
    since: { type: 'string', maxLength: 40 },
    rule: { type: 'string', maxLength: 200 },
    ...pageQueryProperties,
  },
  additionalProperties: false,
} as const;

/** Alertmanager's webhook payload (version 4); only what routing needs is required. */
const webhookBody = {
  type: 'object',
  required: ['alerts'],
  properties: {
    status: { type: 'string' },
    externalURL: { type: 'string' },
    alerts: {
      type: 'array',
      maxItems: 10_000,
      items: {
        type: 'object',
        required: ['status', 'labels'],
        properties: {
          status: { type: 'string', enum: ['firing', 'resolved'] },
          labels: { type: 'object', additionalProperties: { type: 'string' } },
          annotations: { type: 'object', additionalProperties: { type: 'string' } },
          startsAt: { type: 'string' },
          endsAt: { type: 'string' },
          generatorURL: { type: 'string' },
          fingerprint: { type: 'string' },
        },
      },
    },
  },
} as const;

interface WebhookAlert {
  status: 'firing' | 'resolved';
  labels: Record<string, string>;
  annotations?: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
  generatorURL?: string;
}

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
export const alertRoutes: FastifyPluginAsync<AlertsRoutesOptions> = async (app, options) => {
  const nowMs = options.nowMs ?? Date.now;

  app.get<{ Querystring: { status?: string; rule?: string } }>(
    '/api/v1/alerts',
    { schema: { querystring: alertsQuery } },
    async (request) => {
      const now = nowMs();
      const silenceList = options.silenceStore.list();
      const alerts = options.runtime
        .alerts()
        .filter((a) => request.query.status === undefined || a.status === request.query.status)
        .filter((a) => request.query.rule === undefined || a.rule === request.query.rule)
        .sort((a, b) => a.rule.localeCompare(b.rule) || a.fingerprint.localeCompare(b.fingerprint))
        .map((a) => presentAlert(a, isSilenced(silenceList, a.labels, now)));
      return { alerts };
    },
  );

  const historyPage = listQuery({ since: z.string().optional(), rule: z.string().optional() });
  app.get<{ Querystring: Record<string, string> }>(
    '/api/v1/alerts/history',
    { schema: { querystring: historyQuery } },
    async (request) => {
      const {
        since,
        rule,
        limit = defaultPageLimit,
        offset = 0,
      } = parsePart(historyPage, request.query, 'querystring');
      const sinceMs = parseTime(since, 'since');
      // Newest first; one entry past the page tells whether there is a next one.
      const entries = options.alertStore.history({ sinceMs, rule, limit: offset + limit + 1 });
      return {
        history: entries
          .slice(offset, offset + limit)
          .map((e) => ({ ...e, at: new Date(e.atMs).toISOString() })),
        nextOffset: entries.length > offset + limit ? offset + limit : null,
      };
    },
  );

  app.post<{ Body: { alerts: WebhookAlert[]; externalURL?: string } }>(
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
