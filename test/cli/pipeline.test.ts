import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { createPipelineTopics, readTopic, topicRecordCount } from '../pipeline/support.js';
import { waitFor } from '../support/wait.js';
import { jsonCodec, startProducer } from '../../pipeline/index.js';

const bin = fileURLToPath(new URL('../../bin/pipewatch.js', import.meta.url));

function run(args: string[], env: Record<string, string>) {
  const child = spawn(process.execPath, [bin, ...args], {
    env: { ...process.env, ...env, PIPEWATCH_LOG_LEVEL: 'warn' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, exit, stderr: () => stderr };
}

describe('pipewatch pipeline producer|consumer', () => {
  let cluster: TestKafkaCluster;
  let dir: string;
  before(async () => {
    cluster = await startTestKafka();
    dir = mkdtempSync(join(tmpdir(), 'pipewatch-cli-'));
  });
  after(async () => {
    rmSync(dir, { recursive: true, force: true });
    await cluster.stop();
  });

  it('produces with faults from flags, and the consumer turns them into features and DLQ records', async () => {
    const topics = await createPipelineTopics(cluster);
    const config = join(dir, 'pipewatch.yaml');
    writeFileSync(
      config,
      `topics:\n  raw: ${topics.raw}\n  features: ${topics.features}\n  dlq: ${topics.dlq}\n` +
        `pipeline:\n  format: json\n`,
    );
    const env = {
      PIPEWATCH_KAFKA_BROKERS: cluster.brokers.join(','),
      // The idempotent producer needs the mock's controller-id fallback, which is opt-in.
      ...(cluster.isMock ? { PIPEWATCH_KAFKA_MOCK_CLUSTER: 'true' } : {}),
    };
    const producer = run(
      [
        'pipeline',
        'producer',
        '--config',
        config,
        '--rate',
        '0',
        '--max-records',
        '200',
        '--metrics-port',
        '0',
        '--faults',
        '{"negativeAmountRatio":1}',
      ],
      env,
    );
    assert.equal(await producer.exit, 0, producer.stderr());
    const kafka = cluster.client();
    assert.equal(await topicRecordCount(kafka, topics.raw), 200);

    const consumer = run(
      [
        'pipeline',
        'consumer',
        '--config',
        config,
        '--metrics-port',
        '0',
        '--group',
        uniqueName('g'),
      ],
      env,
    );
    try {
      await waitFor(async () => (await topicRecordCount(kafka, topics.dlq)) >= 200, {
        what: 'DLQ records',
        timeoutMs: 60_000,
      });
    } finally {
      consumer.child.kill('SIGTERM');
    }
    assert.equal(await consumer.exit, 0, consumer.stderr());
    const dlq = await readTopic(kafka, topics.dlq, 200);
    assert.ok(dlq.every((m) => String(m.headers?.['pipewatch.error.type']) === 'SEMANTIC_ERROR'));
    assert.equal(await topicRecordCount(kafka, topics.features), 0);
  });

  it('the consumer exits 1 when a fatal producer error stops its work (fenced)', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topics = await createPipelineTopics(cluster);
    const config = join(dir, 'fenced.yaml');
    writeFileSync(
      config,
      `topics:\n  raw: ${topics.raw}\n  features: ${topics.features}\n  dlq: ${topics.dlq}\n` +
        `pipeline:\n  format: json\n`,
    );
    const kafka = cluster.client();
    const producer = await startProducer({
      kafka,
      topic: topics.raw,
      codec: jsonCodec(),
      ratePerSecond: 200,
      batchSize: 20,
    });
    const consumer = run(
      ['pipeline', 'consumer', '--config', config, '--metrics-port', '0', '--transactional'],
      { PIPEWATCH_KAFKA_BROKERS: cluster.brokers.join(',') },
    );
    let stdout = '';
    consumer.child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    try {
      await waitFor(async () => (await topicRecordCount(kafka, topics.features)) > 0, {
        what: 'feature records',
        timeoutMs: 60_000,
      });
      // PRODUCER_FENCED (90) on the next AddPartitionsToTxn (API key 24): what a broker answers
      // an instance whose transactional id a newer instance took over; librdkafka makes it fatal.
      cluster.faults.pushRequestErrors(24, [90]);
      // Before the fix the loop ended quietly and the process kept running, exit code pending.
      const ended = await Promise.race([
        consumer.exit,
        new Promise((r) => setTimeout(() => r('still running after 30 s'), 30_000)),
      ]);
      assert.equal(ended, 1, consumer.stderr());
    } finally {
      consumer.child.kill('SIGKILL');
      await producer.stop();
    }
    assert.match(stdout, /fenced/);
    assert.match(stdout, /exiting with 1/);
  });

  it('exits 2 with the usage line on a bad role or flag, or with no brokers', async () => {
    const bad = run(['pipeline', 'sideways'], {});
    assert.equal(await bad.exit, 2);
    assert.match(bad.stderr(), /usage: pipewatch pipeline producer\|consumer/);
    const flag = run(['pipeline', 'producer', '--rate', 'fast'], {
      PIPEWATCH_KAFKA_BROKERS: 'h:1',
    });
    assert.equal(await flag.exit, 2);
    assert.match(flag.stderr(), /--rate must be a non-negative number/);
    const noBrokers = run(['pipeline', 'consumer'], { PIPEWATCH_KAFKA_BROKERS: '' });
    assert.equal(await noBrokers.exit, 2);
    assert.match(noBrokers.stderr(), /needs kafka.brokers/);
  });
});
