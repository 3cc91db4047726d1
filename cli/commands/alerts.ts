import { parseArgs } from 'node:util';
import { PipewatchError } from '../../common/index.js';
import { parseDurationMs } from '../../rules/index.js';
import { callApi, defaultApiUrl } from '../api-client.js';
import type { Command } from './command.js';

const usage = [
  'pipewatch alerts list [--status pending|firing|resolved] [--api URL] [--json]',
  '       pipewatch alerts silence --matcher \'label="value"\' [--matcher ...] --duration 2h [--comment TEXT] [--api URL]',
  '       pipewatch alerts unsilence SILENCE_ID [--api URL]',
  `  --api: the running service (default ${defaultApiUrl}).`,
].join('\n');

interface AlertView {
  rule: string;
  status: string;
  severity: string;
  silenced: boolean;
  value: number | null;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  activeAt: string;
  /** pipewatch (its rules) or alertmanager (received through the webhook). */
  source?: string;
}

function flags(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        api: { type: 'string', default: defaultApiUrl },
        json: { type: 'boolean' },
        status: { type: 'string' },
        matcher: { type: 'string', multiple: true },
        duration: { type: 'string' },
        comment: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new PipewatchError('USAGE', `${(error as Error).message}\nusage: ${usage}`);
  }
}

async function list(argv: readonly string[]): Promise<number> {
  const { values } = flags(argv);
  const query = values.status ? `?status=${encodeURIComponent(values.status)}` : '';
  const { alerts } = await callApi<{ alerts: AlertView[] }>(
    values.api,
    'GET',
    `/api/v1/alerts${query}`,
  );
  if (values.json) {
    process.stdout.write(`${JSON.stringify(alerts, null, 2)}\n`);
    return 0;
  }
  if (alerts.length === 0) process.stdout.write('no alerts\n');
  for (const a of alerts) {
    const labels = Object.entries(a.labels)
      .filter(([k]) => k !== 'alertname' && k !== 'severity')
      .map(([k, v]) => `${k}=${v}`)
      .join(' ');
    process.stdout.write(
      `${a.status.padEnd(8)} ${a.severity.padEnd(8)} ${a.rule} ${labels}${a.value !== null ? ` value=${a.value}` : ''}${a.silenced ? ' (silenced)' : ''}${a.source === 'alertmanager' ? ' (from alertmanager)' : ''} since ${a.activeAt}\n`,
    );
  }
  return 0;
}

async function silence(argv: readonly string[]): Promise<number> {
  const { values } = flags(argv);
  const matchers = values.matcher ?? [];
  if (matchers.length === 0)
    throw new PipewatchError('USAGE', `--matcher is required\nusage: ${usage}`);
  const ms = values.duration === undefined ? undefined : parseDurationMs(values.duration);
  if (ms === undefined || ms <= 0) {
    throw new PipewatchError('USAGE', `--duration is required, e.g. 30m or 2h\nusage: ${usage}`);
  }
  const created = await callApi<{ id: string; endsAt: string }>(
    values.api,
    'POST',
    '/api/v1/silences',
    {
      matchers,
      durationSeconds: ms / 1000,
      comment: values.comment ?? '',
      createdBy: 'cli',
    },
  );
  process.stdout.write(`${created.id} until ${created.endsAt}\n`);
  return 0;
}

async function unsilence(argv: readonly string[]): Promise<number> {
  const { values, positionals } = flags(argv);
  const id = positionals[0];
  if (id === undefined)
    throw new PipewatchError('USAGE', `a silence id is required\nusage: ${usage}`);
  await callApi(values.api, 'DELETE', `/api/v1/silences/${encodeURIComponent(id)}`);
  process.stdout.write(`expired ${id}\n`);
  return 0;
}

export const alertsCommand: Command = {
  name: 'alerts',
  summary: 'list alerts, silence and unsilence them through the service API',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'list') return list(rest);
    if (sub === 'silence') return silence(rest);
    if (sub === 'unsilence') return unsilence(rest);
    throw new PipewatchError(
      'USAGE',
      `unknown or missing subcommand '${sub ?? ''}'\nusage: ${usage}`,
    );
  },
};
