import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { ZodTypeProvider } from '../route-schema.js';
import { PipewatchError } from '../../common/index.js';
import { listQuery, paginate, parsePart } from './request.js';
import type { AlertsRuntime } from '../../monitor/index.js';
import { formatDuration, formatMatcher, type Rule } from '../../rules/index.js';

export interface RulesRoutesOptions {
  readonly runtime: AlertsRuntime;
}

/** A rule in the format PUT accepts, so GET → edit → PUT round-trips. */
export function presentRule(rule: Rule, source: string) {
  return {
    source,
    rule: {
      alert: rule.alert,
      metric: rule.metric,
      matchers: rule.matchers.map(formatMatcher),
      kind: rule.kind,
      ...(rule.kind === 'increase' ? { window: formatDuration(rule.windowMs) } : {}),
      op: rule.op,
      ...(rule.threshold !== undefined ? { threshold: rule.threshold } : {}),
      ...(rule.thresholdByLabel ? { thresholdByLabel: rule.thresholdByLabel } : {}),
      ...(rule.enrich ? { enrich: rule.enrich } : {}),
      for: formatDuration(rule.forMs),
      keep_firing_for: formatDuration(rule.keepFiringForMs),
      severity: rule.severity,
      labels: rule.labels,
      annotations: rule.annotations,
    },
  };
}

const nameParams = z
  .object({
    name: z
      .string()
      .max(200)
      .regex(/^[a-zA-Z_][a-zA-Z0-9_]*$/, 'must be a rule name: letters, digits and _'),
  })
  .strict();

const pageOnly = listQuery({});

/** /api/v1/rules: list every rule (default, file, API), and create/replace/delete API rules. */
export const ruleRoutes: FastifyPluginAsync<RulesRoutesOptions> = async (plain, { runtime }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get('/api/v1/rules', async (request) => {
    const page = paginate(runtime.listRules(), parsePart(pageOnly, request.query, 'querystring'));
    return {
      rules: page.items.map(({ rule, source }) => presentRule(rule, source)),
      nextOffset: page.nextOffset,
    };
  });

  app.get('/api/v1/rules/:name', { schema: { params: nameParams } }, async (request) => {
    const found = runtime.listRules().find((r) => r.rule.alert === request.params.name);
    if (!found) throw new PipewatchError('NOT_FOUND', `no rule ${request.params.name}`);
    return presentRule(found.rule, found.source);
  });

  app.put('/api/v1/rules/:name', { schema: { params: nameParams } }, async (request) => {
    const body = request.body;
    // The name in the path is the rule's name; a body without `alert` takes it.
    const input =
      body && typeof body === 'object' && !Array.isArray(body) && !('alert' in body)
        ? { alert: request.params.name, ...body }
        : body;
    const rule = runtime.putRule(request.params.name, input);
    return presentRule(rule, 'api');
  });

  app.delete('/api/v1/rules/:name', { schema: { params: nameParams } }, async (request, reply) => {
    runtime.deleteRule(request.params.name);
    return reply.status(204).send();
  });
};
