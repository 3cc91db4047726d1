import type { LabelSet } from '../rules/index.js';

/** One alert as a notification carries it. */
export interface NotifiedAlert {
  readonly fingerprint: string;
  readonly status: 'firing' | 'resolved';
  readonly labels: LabelSet;
  readonly annotations: Readonly<Record<string, string>>;
  readonly startsAtMs: number;
  /** When it resolved; undefined while firing. */
  readonly endsAtMs: number | undefined;
  /** The number that met the rule's condition (absent for alerts received from Prometheus). */
  readonly value: number | undefined;
  readonly generatorUrl: string;
}

/** What one receiver is sent for one group at one flush (Alertmanager's notification data). */
export interface Notification {
  readonly receiver: string;
  readonly groupKey: string;
  readonly groupLabels: LabelSet;
  readonly status: 'firing' | 'resolved';
  readonly alerts: readonly NotifiedAlert[];
  readonly externalUrl: string;
}

/** A delivery channel (email, webhook, Slack). `send` rejects when the notification was not accepted. */
export interface Notifier {
  readonly name: string;
  send(notification: Notification): Promise<void>;
}

/** Labels every alert of the notification shares (Alertmanager's CommonLabels). */
export function commonLabels(alerts: readonly { labels: LabelSet }[]): Record<string, string> {
  if (alerts.length === 0) return {};
  const out: Record<string, string> = { ...alerts[0]!.labels };
  for (const a of alerts.slice(1)) {
    for (const k of Object.keys(out)) if (a.labels[k] !== out[k]) delete out[k];
  }
  return out;
}

/** Annotations every alert of the notification shares (Alertmanager's CommonAnnotations). */
export function commonAnnotations(
  alerts: readonly { annotations: Readonly<Record<string, string>> }[],
): Record<string, string> {
  return commonLabels(alerts.map((a) => ({ labels: a.annotations })));
}

/**
 * The subject line of Alertmanager's default email template:
 * `[FIRING:2] <group label values> (<other common label values>)`, `[RESOLVED] …`.
 */
export function notificationTitle(n: Notification): string {
  const firing = n.alerts.filter((a) => a.status === 'firing').length;
  const head = n.status === 'firing' ? `[FIRING:${firing}]` : '[RESOLVED]';
  const values = (labels: Record<string, string>) =>
    Object.keys(labels)
      .sort()
      .map((k) => labels[k]!)
      .filter((v) => v !== '');
  const groupValues = values({ ...n.groupLabels });
  const common = commonLabels(n.alerts);
  for (const k of Object.keys(n.groupLabels)) delete common[k];
  const rest = values(common);
  return `${head} ${groupValues.join(' ')}${rest.length > 0 ? ` (${rest.join(' ')})` : ''}`;
}
