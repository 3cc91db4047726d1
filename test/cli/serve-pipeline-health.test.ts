import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { Lifecycle } from '../../cli/lifecycle.js';
import { startServicePipeline } from '../../cli/service/pipeline.js';
import { parseConfig } from '../../config/index.js';
import { startTestKafka, uniqueName, type TestKafkaCluster } from '../support/kafka.js';
import { createPipelineTopics } from '../pipeline/support.js';
import { waitFor } from '../support/wait.js';

/**
 * Issue 9 item 2, embedded default: the pipeline part `serve` builds (the same function), its
 * `isWorking()` behind the `/readyz` check `pipeline`, turns false when the feature consumer
 * stops on a fatal error, and the pipeline metrics on the service's /metrics say so.
 */
describe('serve: the embedded pipeline reports a dead feature consumer', () => {
  let cluster: TestKafkaCluster;
  before(async () => {
    cluster = await startTestKafka();
  });
  after(async () => {
    await cluster.stop();
  });

  it('isWorking() turns false and pipewatch_pipeline_consumer_up 0 after PRODUCER_FENCED', async (t) => {
    if (!cluster.faults) return t.skip('fault injection needs the mock cluster');
    const topics = await createPipelineTopics(cluster);
    const config = parseConfig(
      {
        topics,
        pipeline: {
          format: 'json',
          producer: { ratePerSecond: 200 },
          consumer: { transactional: true, groupId: uniqueName('features') },
          embedded: { faultCycle: false },
        },
      },
      {},
    );
    const logger = pino({ level: 'silent' });
    const lifecycle = new Lifecycle(logger);
    const pipeline = await startServicePipeline({
      config,
      kafkaIsEmbedded: true,
      kafka: cluster.client(),
      brokers: cluster.brokers,
      registryUrl: 'http://127.0.0.1:1', // unused: JSON format
      logger,
      lifecycle,
    });
    try {
      assert.ok(pipeline);
      await waitFor(() => pipeline.pipeline.consumer.stats().recordsAcknowledged > 0, {
        what: 'features written',
        timeoutMs: 60_000,
      });
      assert.equal(pipeline.isWorking(), true);
      // What a broker answers a fenced transactional producer (API key 24 AddPartitionsToTxn,
      // error 90 PRODUCER_FENCED); librdkafka raises it as fatal.
      cluster.faults.pushRequestErrors(24, [90]);
      await waitFor(() => !pipeline.isWorking(), {
        what: 'the consumer to stop working',
        timeoutMs: 30_000,
      });
      const text = await pipeline.registry.metrics();
      assert.match(text, /^pipewatch_pipeline_consumer_up 0$/m);
      assert.match(text, /^pipewatch_pipeline_consumer_fatal_errors_total 1$/m);
    } finally {
      await lifecycle.stopAll(10_000);
    }
  });
});
