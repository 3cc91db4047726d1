import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Lifecycle } from '../lifecycle.js';

/** Features of the reference pipeline's feature topic that the embedded default watches. */
export const embeddedDriftFeatures = [
  'amount_usd',
  'amount_to_balance_ratio',
  'account_spend_usd_1h',
  'channel',
] as const;

/**
 * In the embedded default, registers drift references for the pipeline's features, captured
 * from the feature topic over the first clean stretch, so drift series appear without a manual
 * step. Goes through the API's own capture route (`inject`, no network) so the same validation
 * applies; a feature that already has a reference (from an earlier run) is left alone.
 */
export function scheduleAutoReferences(options: {
  readonly app: FastifyInstance;
  readonly config: Readonly<Config>;
  readonly startedAtMs: number;
  readonly logger: Logger;
  readonly lifecycle: Lifecycle;
}): void {
  const { config, app, logger } = options;
  const topic = config.topics.features;
  const capture = async () => {
    for (const feature of embeddedDriftFeatures) {
      const path = `/api/v1/references/${encodeURIComponent(topic)}/${encodeURIComponent(feature)}`;
      if ((await app.inject({ method: 'GET', url: path })).statusCode === 200) continue;
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/references/capture',
        payload: { topic, feature, from: options.startedAtMs, to: Date.now() },
      });
      if (response.statusCode === 201) {
        logger.info(
          { topic, feature },
          'registered a drift reference from the first clean stretch',
        );
      } else {
        logger.warn({ topic, feature, answer: response.body }, 'automatic drift reference failed');
      }
    }
  };
  const timer = setTimeout(() => {
    capture().catch((error: unknown) => logger.warn({ err: error }, 'automatic drift references'));
  }, config.pipeline.embedded.autoReferenceAfterSeconds * 1000);
  timer.unref();
  options.lifecycle.add({ name: 'auto-references', stop: () => clearTimeout(timer) });
}
