import type { Config, WatchedPipeline } from './schema.js';

/**
 * The pipelines to watch: `pipelines` from the config, or, when unset, the reference pipeline
 * from `topics` and `pipeline.consumer.groupId` (the embedded default fills it this way).
 */
export function watchedPipelines(config: Readonly<Config>): readonly WatchedPipeline[] {
  if (config.pipelines !== undefined) return config.pipelines;
  return [
    {
      name: 'transactions',
      rawTopics: [config.topics.raw],
      featureTopics: [config.topics.features],
      dlqTopics: [config.topics.dlq],
      groups: [config.pipeline.consumer.groupId],
      freshnessTargetSeconds: 60,
    },
  ];
}
