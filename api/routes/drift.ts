import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { PipewatchError } from '../../common/index.js';
import type { DriftView } from '../../monitor/index.js';
import type { ZodTypeProvider } from '../route-schema.js';
import { driftDetail, driftDetailBody, driftListBody, driftSummary } from './drift-present.js';
import { featureName, topicName } from './names.js';

export interface DriftRoutesOptions {
  readonly drift: DriftView;
}

const pathParams = z
  .object({
    topic: topicName.describe('Kafka topic'),
    feature: featureName.describe('feature (field name or dotted path)'),
  })
  .strict();

/** /api/v1/drift: per-feature drift of every watched (topic, feature). */
export const driftRoutes: FastifyPluginAsync<DriftRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/drift', { schema: { response: { 200: driftListBody } } }, async () => ({
    features: options.drift.features().map(driftSummary),
  }));

  app.get(
    '/api/v1/drift/:topic/:feature',
    { schema: { params: pathParams, response: { 200: driftDetailBody } } },
    async (request) => {
      const { topic, feature } = request.params;
      const state = options.drift.feature(topic, feature);
      if (!state) {
        throw new PipewatchError(
          'DRIFT_FEATURE_NOT_WATCHED',
          `no drift reference for topic ${topic}, feature ${feature}`,
          { topic, feature },
        );
      }
      return driftDetail(state);
    },
  );
};
