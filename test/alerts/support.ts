import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { SMTPServer } from 'smtp-server';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp, type AppOptions } from '../../api/index.js';
import { buildAlerts, type BuiltAlerts } from '../../cli/service/alerts.js';
import { parseConfig, type ConfigInput } from '../../config/index.js';
import { ReadingsBoard, type AlertsRuntime } from '../../monitor/index.js';
import { openDatabase, type SqliteDatabase } from '../../store/index.js';

export interface ReceivedMail {
  subject: string;
  raw: string;
  /** The message with quoted-printable soft breaks and escapes decoded. */
  text: string;
}

function decodeQuotedPrintable(raw: string): string {
  const bytes = raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_m, hex: string) => String.fromCharCode(parseInt(hex, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/**
 * A real SMTP server (the `smtp-server` package) on a fixed port that can be killed and brought
 * back. STARTTLS is disabled: its built-in certificate has expired.
 */
export class MailSink {
  readonly mails: ReceivedMail[] = [];
  private server: SMTPServer | undefined;
  port = 0;

  async start(): Promise<void> {
    const server = new SMTPServer({
      disabledCommands: ['STARTTLS', 'AUTH'],
      disableReverseLookup: true,
      authOptional: true,
      logger: false,
      onData: (stream, _session, callback) => {
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          const raw = Buffer.concat(chunks).toString('utf8');
          const subject =
            /^Subject: (.*(?:\r?\n[ \t].*)*)/im.exec(raw)?.[1]?.replace(/\r?\n[ \t]/g, ' ') ?? '';
          this.mails.push({ subject, raw, text: decodeQuotedPrintable(raw) });
          callback();
        });
      },
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    this.server = undefined;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

export const t0 = Date.UTC(2026, 0, 5, 12, 0, 0);

/** A fake clock the runtime reads; tests move it. */
export class FakeClock {
  now = t0;
  readonly nowMs = () => this.now;
}

export function tempDir(): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'pipewatch-alerts-'));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** The board with the metrics the default DLQ and freshness rules read, filled by the test. */
export function testBoard(): ReadingsBoard {
  const board = new ReadingsBoard();
  board.describe({
    name: 'pipewatch_dlq_ratio',
    help: 'DLQ records per source record.',
    type: 'gauge',
    labelNames: ['pipeline', 'source_topic', 'window'],
  });
  board.describe({
    name: 'pipewatch_pipeline_freshness_seconds',
    help: 'Age of the newest feature record.',
    type: 'gauge',
    labelNames: ['pipeline'],
  });
  return board;
}

export function publishDlq(
  board: ReadingsBoard,
  ratio: number | undefined,
  atMs: number,
  freshnessSeconds = 5,
): void {
  board.publish('test-dlq', [
    ...(ratio === undefined
      ? []
      : [
          {
            name: 'pipewatch_dlq_ratio',
            labels: { pipeline: 'transactions', source_topic: 'raw.transactions', window: '5m' },
            value: ratio,
            atMs,
          },
        ]),
    {
      name: 'pipewatch_pipeline_freshness_seconds',
      labels: { pipeline: 'transactions' },
      value: freshnessSeconds,
      atMs,
    },
  ]);
}

export interface Harness {
  runtime: AlertsRuntime;
  db: SqliteDatabase;
  close(): Promise<void>;
}

export function startHarness(
  file: string,
  board: ReadingsBoard,
  clock: FakeClock,
  alerts: ConfigInput['alerts'],
  extra: Partial<ConfigInput> = {},
): Harness {
  const config = parseConfig({ alerts, ...extra, dataDir: file }, {});
  const db = openDatabase(file);
  const { runtime, close } = buildAlerts({
    config,
    db,
    board,
    logger: pino({ level: 'silent' }),
    httpUrl: 'http://status.example:8080',
    nowMs: clock.nowMs,
    random: () => 0.5,
  });
  return {
    runtime,
    db,
    close: async () => {
      await runtime.stop();
      close();
      db.close();
    },
  };
}

export function emailConfig(port: number): NonNullable<ConfigInput['alerts']> {
  return {
    email: {
      url: `smtp://127.0.0.1:${port}`,
      from: 'pipewatch@example.com',
      to: ['oncall@example.com'],
      tls: { ignoreTLS: true },
    },
    groupWaitSeconds: 0,
    outbox: { initialBackoffMs: 1000, maxBackoffMs: 8000 },
  };
}

/** A local HTTP server that records every JSON body posted to it and answers `status`. */
export class WebhookSink {
  readonly bodies: unknown[] = [];
  status = 200;
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        if (this.status >= 200 && this.status < 300) {
          this.bodies.push(JSON.parse(Buffer.concat(chunks).toString('utf8')));
        }
        res.statusCode = this.status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    this.server = server;
  }

  async stop(): Promise<void> {
    const s = this.server;
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  }
}

/**
 * The alerts runtime on `db` (default config unless given) and the pipewatch app serving it,
 * not listening. With `nowMs`, the runtime and the alert routes share that clock.
 */
export async function startAlertsApp(o: {
  readonly db: SqliteDatabase;
  readonly board: ReadingsBoard;
  readonly config?: ReturnType<typeof parseConfig>;
  readonly nowMs?: () => number;
  readonly httpUrl?: string;
  readonly random?: () => number;
  readonly app?: Partial<AppOptions>;
}): Promise<{ alerts: BuiltAlerts; app: FastifyInstance }> {
  const alerts = buildAlerts({
    config: o.config ?? parseConfig({}, {}),
    db: o.db,
    board: o.board,
    logger: pino({ level: 'silent' }),
    ...(o.nowMs ? { nowMs: o.nowMs } : {}),
    ...(o.httpUrl ? { httpUrl: o.httpUrl } : {}),
    ...(o.random ? { random: o.random } : {}),
  });
  const app = Fastify();
  await app.register(pipewatchApp, {
    metricsRegistry: createMetricsRegistry({ version: 'test', nodeVersion: process.version }),
    board: o.board,
    ...o.app,
    alerts: o.nowMs ? { ...alerts, nowMs: o.nowMs } : alerts,
  });
  return { alerts, app };
}
