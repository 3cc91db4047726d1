import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from '../route-schema.js';
import { statusSeverity, type GroupStatus } from '../../detectors/index.js';
import type { GroupLagView, LagPipeline, LagView } from '../../monitor/index.js';
import { groupLag, groupStatus, lagPipeline } from './lag-schemas.js';

export interface PipelineRoutesOptions {
  readonly lag: LagView;
  readonly clock?: () => number;
}

function presentPipeline(p: LagPipeline, groups: readonly GroupLagView[]) {
  const mine = groups.filter((g) => g.pipeline === p.name);
  let worst: GroupStatus | null = null;
  for (const g of mine) {
    if (g.status !== null && (worst === null || statusSeverity(g.status) > statusSeverity(worst))) {
      worst = g.status;
    }
  }
  return {
    ...p,
    status: worst,
    groups: mine.map((g) => ({
      group: g.group,
      discovered: g.discovered,
      status: g.status,
      rule: g.rule,
      lagMessages: g.lagMessages,
      maxStalenessSeconds: g.maxStalenessSeconds,
    })),
  };
}

// The handler's return type is checked against this schema by the type provider.
const pipelineAnswer = lagPipeline
  .extend({
    status: groupStatus.describe('the worst status of its groups; null: none judged yet'),
    groups: z
      .array(
        groupLag
          .pick({
            group: true,
            discovered: true,
            status: true,
            rule: true,
            lagMessages: true,
            maxStalenessSeconds: true,
          })
          .strict(),
      )
      .readonly()
      .describe('its consumer groups, configured and discovered'),
  })
  .strict();

const pipelinesAnswer = z
  .object({ pipelines: z.array(pipelineAnswer) })
  .strict()
  .describe('The watched pipelines with their topics, groups and worst group status');

/** /api/v1/pipelines: the watched pipelines, their topics, groups and the worst group status. */
export const pipelineRoutes: FastifyPluginAsync<PipelineRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const clock = options.clock ?? Date.now;
  app.get(
    '/api/v1/pipelines',
    { schema: { querystring: z.object({}).strict(), response: { 200: pipelinesAnswer } } },
    async () => {
      const groups = options.lag.groups(clock());
      return { pipelines: options.lag.pipelines().map((p) => presentPipeline(p, groups)) };
    },
  );
};
