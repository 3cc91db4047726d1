import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import Fastify, { type FastifyInstance } from 'fastify';
import { createMetricsRegistry, pipewatchApp } from '../../api/index.js';
import type { LagMonitor } from '../../monitor/index.js';
import { commitOffsets } from '../collector/offsets/support.js';
import { pipeline, produce, startHarness, type Harness } from '../collector/offsets/harness.js';

/** The lag API on a real monitor over the test cluster, through inject(). */
describe('GET /api/v1/pipelines and /api/v1/groups', () => {
  let h: Harness;
  let monitor: LagMonitor;
  let topic: string;
  let stampedMs: number;
  let app: FastifyInstance;

  before(async () => {
    h = await startHarness();
    topic = await h.cluster.createTopic('api-groups', 2);
    // Real time here: /metrics and the API compute staleness at the wall clock.
    stampedMs = Date.now() - 30_000;
    await produce(h.producer, topic, 0, [stampedMs, stampedMs + 1000, stampedMs + 2000]);
    await commitOffsets(h.cluster.brokers, 'g-api', [{ topic, partition: 0, offset: 1 }]);
    h.clock.nowMs = Date.now();
    monitor = h.monitor([
      { ...pipeline('p-api', [topic], ['g-api']), freshnessTargetSeconds: 600 },
    ]);
    await monitor.tick();
    app = Fastify();
    await app.register(pipewatchApp, {
      metricsRegistry: createMetricsRegistry({ version: '0', nodeVersion: 'v0' }),
      board: h.board,
      lag: monitor,
    });
  });
  after(async () => {
    await app.close();
    await h.stop();
  });

  it('lists the pipelines with their groups and worst status', async () => {
    const res = await app.inject('/api/v1/pipelines');
    assert.equal(res.statusCode, 200);
    const body = res.json<{
      pipelines: {
        name: string;
        status: string;
        groups: { group: string; lagMessages: number }[];
      }[];
    }>();
    const p = body.pipelines.find((x) => x.name === 'p-api')!;
    assert.deepEqual(
      p.groups.map((g) => [g.group, g.lagMessages]),
      [['g-api', 2]],
    );
    assert.equal(p.status, 'OK');
  });

  it('lists the groups with status, rule and collector health, without partitions', async () => {
    const res = await app.inject('/api/v1/groups');
    assert.equal(res.statusCode, 200);
    const body = res.json<{
      collector: { lastPollAtMs: number; errors: Record<string, number> };
      groups: {
        group: string;
        status: string;
        rule: string;
        partitions?: unknown;
        partitionCount: number;
      }[];
    }>();
    const g = body.groups.find((x) => x.group === 'g-api')!;
    assert.equal(g.status, 'OK');
    assert.equal(typeof g.rule, 'string');
    assert.equal(g.partitions, undefined);
    assert.equal(g.partitionCount, 2);
    assert.equal(typeof body.collector.lastPollAtMs, 'number');
    assert.equal(body.collector.errors.offset_fetch, 0);
  });

  it('gives one group’s partitions: offsets, lag, staleness with method, status and rule', async () => {
    const res = await app.inject('/api/v1/groups/g-api');
    assert.equal(res.statusCode, 200);
    const body = res.json<{
      group: string;
      pipelines: {
        pipeline: string;
        partitions: {
          partition: number;
          committedOffset: number | null;
          endOffset: number;
          logStartOffset: number;
          lagMessages: number | null;
          staleness: { seconds: number; method: string; recordOffset: number } | null;
          status: string | null;
          rule: string | null;
        }[];
      }[];
    }>();
    assert.equal(body.pipelines.length, 1);
    const [p0, p1] = body.pipelines[0]!.partitions;
    assert.equal(p0!.committedOffset, 1);
    assert.equal(p0!.endOffset, 3);
    assert.equal(p0!.logStartOffset, 0);
    assert.equal(p0!.lagMessages, 2);
    assert.equal(p0!.staleness!.method, 'exact');
    assert.equal(p0!.staleness!.recordOffset, 1);
    // The record at offset 1 is stamped 29 s before the test began; computed at the request.
    assert.ok(p0!.staleness!.seconds >= 29 && p0!.staleness!.seconds < 29 + 120);
    assert.equal(p0!.status, 'OK');
    assert.equal(typeof p0!.rule, 'string');
    // Partition 1 was never committed: unknown, not 0.
    assert.equal(p1!.committedOffset, null);
    assert.equal(p1!.lagMessages, null);
    assert.equal(p1!.status, null);
  });

  it('answers 404 GROUP_NOT_WATCHED for a group it does not watch', async () => {
    const res = await app.inject('/api/v1/groups/nope');
    assert.equal(res.statusCode, 404);
    assert.equal(res.json<{ error: { code: string } }>().error.code, 'GROUP_NOT_WATCHED');
  });

  it('renders the lag series on /metrics with staleness computed at the scrape', async () => {
    const res = await app.inject('/metrics');
    assert.equal(res.statusCode, 200);
    assert.match(
      res.body,
      new RegExp(
        `^pipewatch_consumer_group_lag_messages\\{pipeline="p-api",group="g-api",topic="${topic}",partition="0"\\} 2$`,
        'm',
      ),
    );
    const exact = new RegExp(
      `^pipewatch_consumer_group_lag_seconds\\{pipeline="p-api",group="g-api",topic="${topic}",partition="0",method="exact"\\} ([0-9.]+)$`,
      'm',
    ).exec(res.body);
    assert.ok(exact && Number(exact[1]) >= 29);
    assert.match(
      res.body,
      /^pipewatch_consumer_group_status\{pipeline="p-api",group="g-api",status="OK"\} 1$/m,
    );
    assert.match(
      res.body,
      /^pipewatch_consumer_group_status\{pipeline="p-api",group="g-api",status="STALL"\} 0$/m,
    );
    assert.match(res.body, /^pipewatch_collector_errors_total\{operation="offset_fetch"\} 0$/m);
  });
});
