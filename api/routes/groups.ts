import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from '../route-schema.js';
import { PipewatchError } from '../../common/index.js';
import { listQuery, nextOffset, paginate } from './request.js';
import type { GroupLagView, LagView } from '../../monitor/index.js';
import { collectorHealth, groupLag } from './lag-schemas.js';

export interface GroupRoutesOptions {
  readonly lag: LagView;
  /** Milliseconds since the epoch; staleness is computed at this instant on every request. */
  readonly clock?: () => number;
}

/** The group overview: status with the rule and the partition that decided it, no partitions. */
function summary(g: GroupLagView) {
  const { partitions, ...rest } = g;
  return { ...rest, partitionCount: partitions.length };
}

const groupSummary = groupLag
  .omit({ partitions: true })
  .extend({ partitionCount: z.number().int().nonnegative().describe('partitions, count') })
  .strict() satisfies z.ZodType<ReturnType<typeof summary>>;

const pageOnly = listQuery({});
const noQuery = z.object({}).strict();
const groupParams = z
  .object({ group: z.string().min(1).max(255).describe('consumer group id') })
  .strict();

const groupsAnswer = z
  .object({
    collector: collectorHealth,
    groups: z.array(groupSummary).readonly().describe('one entry per watched (pipeline, group)'),
    nextOffset,
  })
  .strict()
  .describe('Every watched (pipeline, group) with its status, without partitions');

const groupAnswer = z
  .object({
    group: z.string().describe('consumer group id'),
    pipelines: z
      .array(groupLag)
      .readonly()
      .describe('the group in each pipeline that watches it, with its partitions'),
  })
  .strict()
  .describe('One consumer group: partitions with offsets, lag, staleness and status');

/**
 * /api/v1/groups: every watched (pipeline, group) with its status in one call;
 * /api/v1/groups/:group: its partitions with committed, end and log start offsets, offset lag,
 * exact staleness (computed at the request), time lag with method and error bound, status and
 * the rule that decided it.
 */
export const groupRoutes: FastifyPluginAsync<GroupRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const clock = options.clock ?? Date.now;
  app.get(
    '/api/v1/groups',
    { schema: { querystring: pageOnly, response: { 200: groupsAnswer } } },
    async (request) => {
      const page = paginate(options.lag.groups(clock()), request.query);
      return {
        collector: options.lag.collector(),
        groups: page.items.map(summary),
        nextOffset: page.nextOffset,
      };
    },
  );

  app.get(
    '/api/v1/groups/:group',
    { schema: { params: groupParams, querystring: noQuery, response: { 200: groupAnswer } } },
    async (request) => {
      const { group } = request.params;
      const views = options.lag.groups(clock()).filter((g) => g.group === group);
      if (views.length === 0) {
        throw new PipewatchError('GROUP_NOT_WATCHED', `consumer group ${group} is not watched`, {
          group,
        });
      }
      return { group, pipelines: views };
    },
  );
};
