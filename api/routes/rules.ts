import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withErrorCode, type ZodTypeProvider } from '../route-schema.js';
import { PipewatchError } from '../../common/index.js';
import { listQuery, nextOffset, paginate } from './request.js';
import type { AlertsRuntime, RuleSource } from '../../monitor/index.js';
import {
  formatDuration,
  formatMatcher,
  parseRule,
  ruleInputSchema,
  type Rule,
} from '../../rules/index.js';

export interface RulesRoutesOptions {
  readonly runtime: AlertsRuntime;
}

/** A rule in the format PUT accepts, so GET → edit → PUT round-trips. */
export function presentRule(rule: Rule, source: RuleSource) {
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

const namePattern = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const nameParams = z
  .object({
    name: z
      .string()
      .max(200)
      .regex(namePattern, 'must be a rule name: letters, digits and _')
      .describe('rule (alert) name, [a-zA-Z_][a-zA-Z0-9_]*'),
  })
  .strict();

const pageOnly = listQuery({});
const noQuery = z.object({}).strict();

/**
 * The PUT body's structure, for the document: the rule format's own fields (rules/schema.ts),
 * with `alert` optional (the path names the rule). The cross-field checks (an increase rule
 * needs a window, a threshold is required, reserved labels) and every message stay with the
 * rules parser, which judges the body first (see the PUT handler).
 */
const field = ruleInputSchema.innerType().shape;
const ruleBody = withErrorCode(
  ruleInputSchema
    .innerType()
    .extend({
      alert: field.alert.optional().describe('the alert name; default: the name in the path'),
      metric: field.metric.describe('the board metric (reading) the rule selects'),
      matchers: field.matchers.describe(
        'PromQL matchers (`window="5m"`, operators =, !=, =~, !~) or {label, op, value}',
      ),
      kind: field.kind.describe(
        "gauge: the value itself; increase: a counter's increase over `window`; absent: fires when no series matches",
      ),
      window: field.window.describe(
        'increase only: the look-back window, a duration (5m) or seconds',
      ),
      op: field.op.describe('how the value is compared with the threshold'),
      threshold: field.threshold.describe(
        'compared with every series (required unless thresholdByLabel or absent)',
      ),
      thresholdByLabel: field.thresholdByLabel.describe(
        "per-series thresholds by one label's value; wins over threshold",
      ),
      enrich: field.enrich.describe("adds label `to` from label `from`'s value, by a table"),
      for: field.for.describe('pending time before firing: a duration (2m) or seconds'),
      keep_firing_for: field.keep_firing_for.describe(
        'firing time kept after the condition clears: a duration or seconds',
      ),
      severity: field.severity,
      labels: field.labels.describe('added to every alert of the rule (not alertname, severity)'),
      annotations: field.annotations.describe(
        'templates: {{ $value }}, {{ $labels.x }}; runbook_url is a URL',
      ),
    })
    .strict()
    .describe('A rule (Prometheus alerting-rule keys where they exist)'),
  'RULE_INVALID',
);

const duration = z.string().describe('a duration such as 0s, 30s, 5m, 1h');
const ruleAnswer = z
  .object({
    source: z
      .enum(['default', 'file', 'api'])
      .describe('default: built in; file: rules.files; api: PUT here (only these can be deleted)'),
    rule: z
      .object({
        alert: z.string(),
        metric: z.string(),
        matchers: z.array(z.string()).describe('PromQL matchers, label="value"'),
        kind: z.enum(['gauge', 'increase', 'absent']),
        window: duration.optional().describe('increase rules only: the look-back window'),
        op: z.enum(['>', '>=', '<', '<=', '==', '!=']),
        threshold: z.number().optional(),
        thresholdByLabel: z
          .object({ label: z.string(), values: z.record(z.number()) })
          .strict()
          .optional(),
        enrich: z
          .object({ from: z.string(), to: z.string(), values: z.record(z.string()) })
          .strict()
          .optional(),
        for: duration.describe('pending time before firing'),
        keep_firing_for: duration.describe('firing time kept after the condition clears'),
        severity: z.enum(['critical', 'warning', 'info']),
        labels: z.record(z.string()),
        annotations: z.record(z.string()),
      })
      .strict()
      .describe('the rule in the format PUT accepts (GET, edit, PUT round-trips)'),
  })
  .strict()
  .describe('A rule and where it comes from');
const rulesAnswer = z
  .object({
    rules: z.array(ruleAnswer).describe('every effective rule: default, file and API'),
    nextOffset,
  })
  .strict()
  .describe('The rules the engine evaluates');
const deleted = { type: 'null', description: 'Deleted (no body)' } as const;

/** The body as parsed from JSON, before the schema: the rules parser judges what the client sent. */
const sentBodies = new WeakMap<FastifyRequest, unknown>();

/** The name in the path is the rule's name; a body without `alert` takes it. */
function withPathName(name: string, body: unknown): unknown {
  return body && typeof body === 'object' && !Array.isArray(body) && !('alert' in body)
    ? { alert: name, ...body }
    : body;
}

/** /api/v1/rules: list every rule (default, file, API), and create/replace/delete API rules. */
export const ruleRoutes: FastifyPluginAsync<RulesRoutesOptions> = async (plain, { runtime }) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  app.get(
    '/api/v1/rules',
    { schema: { querystring: pageOnly, response: { 200: rulesAnswer } } },
    async (request) => {
      const page = paginate(runtime.listRules(), request.query);
      return {
        rules: page.items.map(({ rule, source }) => presentRule(rule, source)),
        nextOffset: page.nextOffset,
      };
    },
  );

  app.get(
    '/api/v1/rules/:name',
    { schema: { params: nameParams, querystring: noQuery, response: { 200: ruleAnswer } } },
    async (request) => {
      const found = runtime.listRules().find((r) => r.rule.alert === request.params.name);
      if (!found) throw new PipewatchError('NOT_FOUND', `no rule ${request.params.name}`);
      return presentRule(found.rule, found.source);
    },
  );

  app.put(
    '/api/v1/rules/:name',
    {
      schema: { params: nameParams, body: ruleBody, response: { 200: ruleAnswer } },
      // A body the structure refuses still goes to the rules parser first, so its
      // RULE_INVALID message (`rule LagHigh: field op: ...`) is the answer, as for rule files.
      attachValidation: true,
      preValidation: async (request) => {
        sentBodies.set(request, request.body);
      },
    },
    async (request) => {
      const failure = request.validationError;
      if (failure && failure.validationContext !== 'body') throw failure;
      const { name } = request.params;
      const input = withPathName(name, sentBodies.get(request));
      if (failure) {
        parseRule(input, 'rule');
        throw failure;
      }
      return presentRule(runtime.putRule(name, input), 'api');
    },
  );

  app.delete(
    '/api/v1/rules/:name',
    { schema: { params: nameParams, response: { 204: deleted } } },
    async (request, reply) => {
      runtime.deleteRule(request.params.name);
      return reply.status(204).send();
    },
  );
};
