import type { FastifyPluginAsync } from 'fastify';
import { PipewatchError } from '../../common/index.js';
import type { DriftView, FeatureDriftState } from '../../monitor/index.js';
import { z } from 'zod';
import { featureName, topicName } from './names.js';
import { parsePart } from './request.js';

export interface DriftRoutesOptions {
  readonly drift: DriftView;
}

const pathParams = z.object({ topic: topicName, feature: featureName }).strict();

/** Latest readings per window and the detected flag (no histograms): the overview. */
function summary(state: FeatureDriftState) {
  return {
    topic: state.topic,
    feature: state.feature,
    referenceVersion: state.referenceVersion,
    kind: state.kind,
    evaluatedAtMs: state.evaluatedAtMs,
    detected: state.detected,
    windows: state.windows.map(({ evaluation, streak }) => ({
      window: evaluation.window,
      windowSeconds: evaluation.windowSeconds,
      referenceValues: evaluation.referenceValues,
      windowValues: evaluation.windowValues,
      decided: evaluation.decided,
      drift: evaluation.drift,
      consecutiveDriftWindows: streak.consecutive,
      detected: streak.drifting,
      readings: evaluation.readings,
    })),
  };
}

/** Everything for one feature: readings, critical values, verdicts, both histograms. */
function detail(state: FeatureDriftState) {
  const overview = summary(state);
  return {
    ...overview,
    referenceHistogram: state.referenceHistogram,
    windows: state.windows.map(({ evaluation, currentCounts }, i) => ({
      ...overview.windows[i],
      startMs: evaluation.startMs,
      endMs: evaluation.endMs,
      verdicts: evaluation.verdicts,
      topBins: evaluation.topBins,
      currentHistogram: { bins: state.referenceHistogram.bins, counts: currentCounts },
    })),
  };
}

/** /api/v1/drift: per-feature drift of every watched (topic, feature). */
export const driftRoutes: FastifyPluginAsync<DriftRoutesOptions> = async (app, options) => {
  app.get('/api/v1/drift', async () => ({ features: options.drift.features().map(summary) }));

  app.get('/api/v1/drift/:topic/:feature', async (request) => {
    const { topic, feature } = parsePart(pathParams, request.params, 'params');
    const state = options.drift.feature(topic, feature);
    if (!state) {
      throw new PipewatchError(
        'DRIFT_FEATURE_NOT_WATCHED',
        `no drift reference for topic ${topic}, feature ${feature}`,
        { topic, feature },
      );
    }
    return detail(state);
  });
};
