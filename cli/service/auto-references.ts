import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Config } from '../../config/index.js';
import type { Lifecycle } from '../lifecycle.js';

/**
 * Features of the reference pipeline's feature topic that the embedded default watches: only
 * per-record features, whose distribution under the clean scenario is the same from the first
 * record on.
 *
 * Not `account_spend_usd_1h` (nor the other per-account window features): a rolling one-hour
 * sum per account grows for the whole first hour after the pipeline starts, and the embedded
 * pipeline starts empty on every `serve` (in-memory cluster, in-memory consumer state). A
 * reference captured in the first clean stretch is far below the filled window, and one
 * captured after an hour is far above the first hour after every restart: either way the clean
 * pipeline would be flagged (issue 9 item 14). Register a reference for it by hand once the
 * pipeline has run for over an hour, where the pipeline's state survives restarts.
 */
export const embeddedDriftFeatures = ['amount_usd', 'amount_to_balance_ratio', 'channel'] as const;

/**
 * The capture stretch: from the pipeline's start to now, but never past the end of the fault
 * cycle's first (clean) scenario, so a late `autoReferenceAfterSeconds` cannot put faulty data
 * into the reference.
 */
export function autoReferenceRange(
  config: Readonly<Config>,
  startedAtMs: number,
  nowMs: number,
): { fromMs: number; toMs: number } {
  const embedded = config.pipeline.embedded;
  const cleanEndMs = embedded.faultCycle
    ? startedAtMs + embedded.faultScenarioSeconds * 1000
    : Number.POSITIVE_INFINITY;
  return { fromMs: startedAtMs, toMs: Math.min(nowMs, cleanEndMs) };
}

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
    const { fromMs, toMs } = autoReferenceRange(config, options.startedAtMs, Date.now());
    for (const feature of embeddedDriftFeatures) {
      const path = `/api/v1/references/${encodeURIComponent(topic)}/${encodeURIComponent(feature)}`;
      if ((await app.inject({ method: 'GET', url: path })).statusCode === 200) continue;
      const response = await app.inject({
        method: 'POST',
        url: '/api/v1/references/capture',
        payload: { topic, feature, from: fromMs, to: toMs },
      });
      if (response.statusCode === 201) {
        logger.info(
          { topic, feature, fromMs, toMs },
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
