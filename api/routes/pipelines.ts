import type { FastifyPluginAsync } from 'fastify';
import { statusSeverity, type GroupStatus } from '../../detectors/index.js';
import type { LagView } from '../../monitor/index.js';

export interface PipelineRoutesOptions {
  readonly lag: LagView;
  readonly clock?: () => number;
}

/** /api/v1/pipelines: the watched pipelines, their topics, groups and the worst group status. */
export const pipelineRoutes: FastifyPluginAsync<PipelineRoutesOptions> = async (app, options) => {
  const clock = options.clock ?? Date.now;
  app.get('/api/v1/pipelines', async () => {
    const groups = options.lag.groups(clock());
    return {
      pipelines: options.lag.pipelines().map((p) => {
        const mine = groups.filter((g) => g.pipeline === p.name);
        let worst: GroupStatus | null = null;
        for (const g of mine) {
          if (
            g.status !== null &&
            (worst === null || statusSeverity(g.status) > statusSeverity(worst))
          ) {
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
      }),
    };
  });
};
