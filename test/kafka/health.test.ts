// The Kafka health monitor reports an outage once, not once per probe: what turns "broker down"
// into one warning line in the service log (cli/service/kafka.ts). A real mock cluster whose
// only broker goes down and comes back.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import {
  createKafkaClient,
  monitorKafkaHealth,
  startMockCluster,
  type MockCluster,
} from '../../kafka/index.js';

async function until(what: string, check: () => boolean, limitMs = 30_000): Promise<void> {
  const deadline = Date.now() + limitMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('Kafka health monitor', () => {
  let mock: MockCluster;
  before(() => {
    mock = startMockCluster(1);
  });
  after(() => mock.destroy());

  it('reports one change when the broker goes down and one when it is back, whatever the probe count', async () => {
    const kafka = createKafkaClient({
      brokers: mock.brokers,
      clientId: 'health-test',
      embeddedMockCluster: true,
      requestTimeoutMs: 1000,
      connectionTimeoutMs: 500,
      retry: { retries: 0 },
    });
    const changes: boolean[] = [];
    let failures = 0;
    const health = monitorKafkaHealth(kafka, {
      intervalMs: 100,
      staleAfterMs: 60_000,
      onError: () => (failures += 1),
      onChange: ({ reachable }) => changes.push(reachable),
    });
    try {
      await until('the first successful probe', () => health.isHealthy(Date.now()));
      assert.deepEqual(changes, [], 'a healthy start is no news');
      mock.setBrokerDown(1);
      await until('five failed probes', () => failures >= 5);
      assert.deepEqual(changes, [false], 'five failed probes, one change');
      mock.setBrokerUp(1);
      await until('the recovery', () => changes.length === 2);
      assert.deepEqual(changes, [false, true]);
    } finally {
      mock.setBrokerUp(1);
      await health.stop();
    }
  });
});
