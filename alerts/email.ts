import nodemailer from 'nodemailer';
import { formatNumber } from '../rules/index.js';
import {
  commonLabels,
  notificationTitle,
  type Notification,
  type Notifier,
  type NotifiedAlert,
} from './types.js';

export interface EmailOptions {
  readonly url: string;
  readonly from: string;
  readonly to: readonly string[];
  readonly auth?: { readonly user: string; readonly password: string };
  readonly tls: {
    readonly ignoreTLS: boolean;
    readonly requireTLS: boolean;
    readonly rejectUnauthorized: boolean;
  };
  readonly timeoutMs: number;
}

/** The email receiver: nodemailer over SMTP; a message is sent when the server accepted it (250). */
export function emailNotifier(options: EmailOptions): Notifier & { close(): void } {
  const url = new URL(options.url);
  // A pooled connection: one SMTP session carries many messages (a new session per message
  // costs several round trips); a broken session is replaced on the next send.
  const transport = nodemailer.createTransport({
    pool: true,
    maxConnections: 1,
    host: url.hostname,
    port: Number(url.port || (url.protocol === 'smtps:' ? 465 : 25)),
    secure: url.protocol === 'smtps:',
    ignoreTLS: options.tls.ignoreTLS,
    requireTLS: options.tls.requireTLS,
    tls: { rejectUnauthorized: options.tls.rejectUnauthorized },
    auth: options.auth ? { user: options.auth.user, pass: options.auth.password } : undefined,
    connectionTimeout: options.timeoutMs,
    greetingTimeout: options.timeoutMs,
    socketTimeout: options.timeoutMs,
  });
  return {
    name: 'email',
    async send(n) {
      const message = renderEmail(n);
      await transport.sendMail({
        from: options.from,
        to: [...options.to],
        subject: message.subject,
        text: message.text,
        html: message.html,
        headers: { 'X-Pipewatch-Group-Key': n.groupKey },
      });
    },
    close: () => transport.close(),
  };
}

const escape = (s: string) =>
  s.replace(
    /[&<>"']/g,
    (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!,
  );

const iso = (ms: number | undefined) => (ms === undefined ? '' : new Date(ms).toISOString());

function labelLine(labels: Readonly<Record<string, string>>): string {
  return Object.keys(labels)
    .sort()
    .map((k) => `${k}=${labels[k]}`)
    .join(', ');
}

/** Subject (Alertmanager style), text and HTML bodies with the numbers and labels. */
export function renderEmail(n: Notification): { subject: string; text: string; html: string } {
  const subject = notificationTitle(n);
  const firing = n.alerts.filter((a) => a.status === 'firing');
  const resolved = n.alerts.filter((a) => a.status === 'resolved');
  const statusUrl = n.externalUrl.replace(/\/$/, '');
  const common = commonLabels(n.alerts);
  const textBlock = (a: NotifiedAlert) =>
    [
      `- ${a.annotations.summary ?? a.labels.alertname ?? 'alert'}`,
      a.annotations.description ? `  ${a.annotations.description}` : '',
      a.value !== undefined ? `  value: ${formatNumber(a.value)}` : '',
      `  labels: ${labelLine(a.labels)}`,
      `  since: ${iso(a.startsAtMs)}${a.endsAtMs !== undefined ? `, resolved: ${iso(a.endsAtMs)}` : ''}`,
      a.annotations.runbook_url ? `  runbook: ${a.annotations.runbook_url}` : '',
    ]
      .filter((l) => l !== '')
      .join('\n');
  const text = [
    subject,
    '',
    firing.length > 0 ? `Firing (${firing.length}):\n${firing.map(textBlock).join('\n')}` : '',
    resolved.length > 0
      ? `Resolved (${resolved.length}):\n${resolved.map(textBlock).join('\n')}`
      : '',
    '',
    `Status page: ${statusUrl}/`,
    `Alerts: ${statusUrl}/api/v1/alerts`,
  ]
    .filter((l, i, all) => l !== '' || (i > 0 && all[i - 1] !== ''))
    .join('\n');
  const htmlBlock = (a: NotifiedAlert) => `
    <tr><td style="padding:8px;border-top:1px solid #ddd">
      <b style="color:${a.status === 'firing' ? '#c0392b' : '#27ae60'}">${a.status.toUpperCase()}</b>
      ${escape(a.annotations.summary ?? a.labels.alertname ?? 'alert')}<br>
      ${a.annotations.description ? `${escape(a.annotations.description)}<br>` : ''}
      ${a.value !== undefined ? `value: <b>${escape(formatNumber(a.value))}</b><br>` : ''}
      <small>${Object.keys(a.labels)
        .sort()
        .map((k) => `<code>${escape(k)}="${escape(a.labels[k]!)}"</code>`)
        .join(' ')}</small><br>
      <small>since ${escape(iso(a.startsAtMs))}${a.endsAtMs !== undefined ? `, resolved ${escape(iso(a.endsAtMs))}` : ''}</small>
      ${a.annotations.runbook_url ? `<br><a href="${escape(a.annotations.runbook_url)}">runbook</a>` : ''}
    </td></tr>`;
  const html = `<!doctype html><html><body style="font-family:sans-serif">
  <h2>${escape(subject)}</h2>
  <p>${escape(labelLine(common))}</p>
  <table style="border-collapse:collapse;width:100%">${n.alerts.map(htmlBlock).join('')}</table>
  <p><a href="${escape(statusUrl)}/">Status page</a> · <a href="${escape(statusUrl)}/api/v1/alerts">Alerts</a></p>
</body></html>`;
  return { subject, text, html };
}
