// Cost of rule evaluation (1,000 rules over 10,000 series, one evaluation of the engine) and the
// outbox's delivery rate to a local SMTP server (the smtp-server package, one message per
// notification, sequential as the outbox sends).
import { mkdtempSync, rmSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SMTPServer } from 'smtp-server';
import { emailNotifier, OutboxWorker, type Notification } from '../alerts/index.js';
import { parseRule, RuleEngine, type RuleReading } from '../rules/index.js';
import { openDatabase, sqliteOutboxStore } from '../store/index.js';

const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Number(value.toPrecision(4)), unit }));

// 10,000 series: 10 metrics × 1,000 label sets (pipeline × topic × partition).
const t0 = 1_700_000_000_000;
const readings: RuleReading[] = [];
for (let m = 0; m < 10; m++) {
  for (let i = 0; i < 1000; i++) {
    readings.push({
      name: `pipewatch_bench_metric_${m}`,
      labels: { pipeline: `p${i % 10}`, topic: `t${i % 100}`, partition: String(i) },
      value: (i * 7919) % 1000,
      atMs: t0,
    });
  }
}
// 1,000 rules: each selects one metric with a regex and an equality matcher, threshold 990 so
// about 1 % of the matched series are active.
const rules = Array.from({ length: 1000 }, (_, r) =>
  parseRule({
    alert: `BenchRule${r}`,
    metric: `pipewatch_bench_metric_${r % 10}`,
    matchers: [`pipeline="p${r % 10}"`, `topic=~"t${r % 100}|t${(r + 1) % 100}"`],
    op: '>',
    threshold: 990,
    for: '1m',
    annotations: { summary: '{{ $labels.topic }} at {{ $value }}' },
  }),
);
const engine = new RuleEngine(rules);
engine.evaluate(readings, t0); // warm-up (JIT, first pending alerts)
const rounds = 20;
const start = process.hrtime.bigint();
for (let i = 1; i <= rounds; i++) engine.evaluate(readings, t0 + i * 15_000);
const seconds = Number(process.hrtime.bigint() - start) / 1e9 / rounds;
line('rules.evaluation_seconds', seconds, 's');

// Outbox → nodemailer → smtp-server on localhost.
const server = new SMTPServer({
  disabledCommands: ['STARTTLS', 'AUTH'],
  disableReverseLookup: true,
  authOptional: true,
  logger: false,
  onData(stream, _session, callback) {
    stream.on('data', () => undefined);
    stream.on('end', () => callback());
  },
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
const port = (server.server.address() as AddressInfo).port;
const dir = mkdtempSync(join(tmpdir(), 'pipewatch-bench-rules-'));
const db = openDatabase(join(dir, 'bench.sqlite'));
const store = sqliteOutboxStore(db);
const email = emailNotifier({
  url: `smtp://127.0.0.1:${port}`,
  from: 'bench@example.com',
  to: ['oncall@example.com'],
  tls: { ignoreTLS: true, requireTLS: false, rejectUnauthorized: false },
  timeoutMs: 10_000,
});
const count = 200;
for (let i = 0; i < count; i++) {
  const n: Notification = {
    receiver: 'email',
    groupKey: `g${i}`,
    groupLabels: { alertname: 'DLQRatioHigh', pipeline: `p${i}` },
    status: 'firing',
    externalUrl: 'http://127.0.0.1:8080',
    alerts: [
      {
        fingerprint: `f${i}`,
        status: 'firing',
        labels: { alertname: 'DLQRatioHigh', pipeline: `p${i}`, severity: 'critical' },
        annotations: { summary: 'DLQ ratio is 0.2%' },
        startsAtMs: t0,
        endsAtMs: undefined,
        value: 0.002,
        generatorUrl: '',
      },
    ],
  };
  store.enqueue(`k${i}`, n, t0);
}
const worker = new OutboxWorker({
  store,
  notifiers: new Map([['email', email]]),
  nowMs: () => Date.now(),
  random: () => 0.5,
  initialBackoffMs: 1000,
  maxBackoffMs: 1000,
  maxAttempts: 3,
});
const sendStart = process.hrtime.bigint();
let delivered = 0;
while (delivered < count) {
  const n = await worker.deliverDue();
  if (n === 0) break;
  delivered += n;
}
const sendSeconds = Number(process.hrtime.bigint() - sendStart) / 1e9;
line('alerts.outbox_deliveries_per_s', delivered / sendSeconds, 'deliveries/s');
email.close();
db.close();
await new Promise<void>((resolve) => server.close(() => resolve()));
rmSync(dir, { recursive: true, force: true });
