import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  faultsBodyLimitBytes,
  mergeFaults,
  noFaults,
  pipelineHttpApp,
  PipelineMetrics,
  type FaultKnobs,
} from '../../pipeline/index.js';

/** Issue 9 item 20: the producer's /faults on fastify, bounded and validated, JSON errors. */
async function producerApp(set?: (change: unknown) => FaultKnobs) {
  let knobs: FaultKnobs = noFaults;
  const metrics = new PipelineMetrics(false);
  metrics.faultsInjected.inc({ fault: 'malformed' }, 3);
  return pipelineHttpApp({
    metrics,
    faults: {
      get: () => knobs,
      set: set ?? ((change) => (knobs = mergeFaults(knobs, change))),
    },
  });
}
const json = { 'content-type': 'application/json' };

describe('pipeline HTTP: /metrics and /faults', () => {
  it('serves /metrics as Prometheus text', async () => {
    const app = await producerApp();
    const response = await app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(response.statusCode, 200);
    assert.match(String(response.headers['content-type']), /^text\/plain/);
    assert.match(
      response.body,
      /^pipewatch_pipeline_faults_injected_total\{fault="malformed"\} 3$/m,
    );
  });

  it('GET /faults answers the knobs; PUT merges a partial change and answers the result', async () => {
    const app = await producerApp();
    assert.deepEqual((await app.inject({ method: 'GET', url: '/faults' })).json(), noFaults);
    const put = await app.inject({
      method: 'PUT',
      url: '/faults',
      headers: json,
      payload: { negativeAmountRatio: 0.25, amountShift: { addUsd: 40 } },
    });
    assert.equal(put.statusCode, 200);
    const knobs = put.json<FaultKnobs>();
    assert.equal(knobs.negativeAmountRatio, 0.25);
    assert.deepEqual(knobs.amountShift, { addUsd: 40, scale: 1 });
    assert.equal(knobs.malformedRatio, 0, 'untouched knobs keep their value');
    const again = await app.inject({ method: 'GET', url: '/faults' });
    assert.equal(again.json<FaultKnobs>().negativeAmountRatio, 0.25);
  });

  const bad: [string, { payload: string; headers?: Record<string, string> }, number, RegExp][] = [
    ['a ratio above 1', { payload: '{"malformedRatio":2}' }, 400, /malformedRatio/],
    ['an unknown knob', { payload: '{"malformedRatoi":0.1}' }, 400, /malformedRatoi/],
    ['a wrong type', { payload: '{"paused":"yes"}' }, 400, /paused/],
    [
      'ratios summing above 1',
      { payload: '{"malformedRatio":0.6,"negativeAmountRatio":0.6}' },
      400,
      /sum must be <= 1/,
    ],
    ['an array', { payload: '[1,2]' }, 400, /must be a JSON object/],
    ['null', { payload: 'null' }, 400, /must be a JSON object/],
    ['text that is not JSON', { payload: '{"paused": tru' }, 400, /JSON/i],
    ['an empty body', { payload: '' }, 400, /empty/i],
    [
      'a body over the limit',
      {
        payload: JSON.stringify({
          channelWeights: { x: 1, pad: 'y'.repeat(faultsBodyLimitBytes) },
        }),
      },
      413,
      new RegExp(`larger than ${faultsBodyLimitBytes} bytes`),
    ],
    [
      'a form body',
      { payload: 'paused=true', headers: { 'content-type': 'application/x-www-form-urlencoded' } },
      415,
      /application\/json/,
    ],
  ];
  for (const [name, request, status, message] of bad) {
    it(`refuses ${name} with ${status} and a JSON error; the knobs stay as they were`, async () => {
      const app = await producerApp();
      const response = await app.inject({
        method: 'PUT',
        url: '/faults',
        headers: request.headers ?? json,
        payload: request.payload,
      });
      assert.equal(response.statusCode, status);
      const body = response.json<{ error: { code: string; message: string } }>();
      assert.equal(body.error.code, 'BAD_REQUEST');
      assert.match(body.error.message, message);
      assert.deepEqual((await app.inject({ method: 'GET', url: '/faults' })).json(), noFaults);
    });
  }

  it('answers an unexpected failure with 500 INTERNAL, never the raw error text', async () => {
    const app = await producerApp(() => {
      throw new Error('ENOENT /secret/path');
    });
    const response = await app.inject({
      method: 'PUT',
      url: '/faults',
      headers: json,
      payload: {},
    });
    assert.equal(response.statusCode, 500);
    assert.deepEqual(response.json(), { error: { code: 'INTERNAL', message: 'internal error' } });
  });

  it('has no /faults on the consumer and answers unknown routes with a JSON 404', async () => {
    const app = await pipelineHttpApp({ metrics: new PipelineMetrics(false) });
    const response = await app.inject({
      method: 'PUT',
      url: '/faults',
      headers: json,
      payload: {},
    });
    assert.equal(response.statusCode, 404);
    assert.equal(response.json<{ error: { code: string } }>().error.code, 'NOT_FOUND');
  });
});
