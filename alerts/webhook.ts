import {
  commonAnnotations,
  commonLabels,
  notificationTitle,
  type Notification,
  type Notifier,
  type NotifiedAlert,
} from './types.js';

/** Alertmanager's "zero time", which its webhook payload uses for a firing alert's endsAt. */
const zeroTime = '0001-01-01T00:00:00Z';

const iso = (ms: number | undefined) => (ms === undefined ? zeroTime : new Date(ms).toISOString());

function webhookAlert(a: NotifiedAlert) {
  return {
    status: a.status,
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    startsAt: iso(a.startsAtMs),
    endsAt: iso(a.endsAtMs),
    generatorURL: a.generatorUrl,
    fingerprint: a.fingerprint,
  };
}

/** Alertmanager's webhook payload, version "4". */
export function webhookPayload(n: Notification) {
  return {
    receiver: n.receiver,
    status: n.status,
    alerts: n.alerts.map(webhookAlert),
    groupLabels: { ...n.groupLabels },
    commonLabels: commonLabels(n.alerts),
    commonAnnotations: commonAnnotations(n.alerts),
    externalURL: n.externalUrl,
    version: '4',
    groupKey: n.groupKey,
    truncatedAlerts: 0,
  };
}

/** A Slack incoming-webhook message (also accepted by Mattermost and Rocket.Chat). */
export function slackPayload(n: Notification) {
  const lines = n.alerts.map(
    (a) => `• *${a.status}* ${a.annotations.summary ?? a.labels.alertname ?? ''}`,
  );
  return {
    text: `${notificationTitle(n)}\n${lines.join('\n')}\n<${n.externalUrl.replace(/\/$/, '')}/|status page>`,
  };
}

/** POST JSON; any 2xx is delivered, anything else (or no answer) rejects so the outbox retries. */
export async function postJson(url: string, body: unknown, timeoutMs = 10_000): Promise<void> {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  });
  await response.arrayBuffer();
  if (response.status < 200 || response.status > 299) {
    throw new Error(`POST ${url}: HTTP ${response.status}`);
  }
}

export function webhookNotifier(name: string, url: string, kind: 'webhook' | 'slack'): Notifier {
  return {
    name,
    send: (n) => postJson(url, kind === 'slack' ? slackPayload(n) : webhookPayload(n)),
  };
}

/**
 * Alertmanager's `POST /api/v2/alerts` body. Alertmanager groups and dedups itself, so every
 * firing alert is re-posted periodically (it resolves alerts not re-sent within its
 * resolve_timeout) and a resolved one is posted with its endsAt.
 */
export function alertmanagerAlerts(alerts: readonly NotifiedAlert[]) {
  return alerts.map((a) => ({
    labels: { ...a.labels },
    annotations: { ...a.annotations },
    startsAt: new Date(a.startsAtMs).toISOString(),
    ...(a.endsAtMs !== undefined ? { endsAt: new Date(a.endsAtMs).toISOString() } : {}),
    generatorURL: a.generatorUrl,
  }));
}

export async function postToAlertmanager(
  baseUrl: string,
  alerts: readonly NotifiedAlert[],
): Promise<void> {
  await postJson(`${baseUrl.replace(/\/$/, '')}/api/v2/alerts`, alertmanagerAlerts(alerts));
}
