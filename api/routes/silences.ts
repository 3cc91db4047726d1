import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { withErrorCode, type ZodTypeProvider } from '../route-schema.js';
import { PipewatchError } from '../../common/index.js';
import { listQuery, nextOffset, paginate } from './request.js';
import { parseSilenceRequest, type Silence } from '../../alerts/index.js';
import { formatMatcher } from '../../rules/index.js';
import type { SilenceStore } from '../../store/index.js';

export interface SilenceRoutesOptions {
  readonly silenceStore: SilenceStore;
  readonly nowMs?: () => number;
}

function presentSilence(s: Silence, nowMs: number) {
  return {
    id: s.id,
    matchers: s.matchers.map(formatMatcher),
    startsAt: new Date(s.startsAtMs).toISOString(),
    endsAt: new Date(s.endsAtMs).toISOString(),
    createdBy: s.createdBy,
    comment: s.comment,
    state: nowMs < s.startsAtMs ? 'pending' : nowMs < s.endsAtMs ? 'active' : 'expired',
  } as const;
}

const time = z
  .union([z.string().max(40), z.number().finite()])
  .describe('an ISO 8601 time, or ms since the epoch');

/**
 * The POST body's structure, for the document. The silence parser (alerts/silences.ts) judges
 * a body first, so its SILENCE_INVALID messages (`field matchers[0]: ...`, `field endsAt: ...`)
 * are the answer; this schema adds what the parser let pass silently before: unknown fields,
 * and a createdBy, comment or durationSeconds of the wrong type (they were dropped).
 */
const silenceBody = withErrorCode(
  z
    .object({
      matchers: z
        .array(
          z.union([
            z.string().max(1024).describe('PromQL matcher: label="value", !=, =~, !~'),
            z
              .object({
                name: z.string().describe('label name'),
                value: z.string(),
                isRegex: z.boolean().optional().describe('default false'),
                isEqual: z.boolean().optional().describe('default true'),
              })
              .strict()
              .describe("Alertmanager v2's matcher object"),
          ]),
        )
        .min(1)
        .max(100)
        .describe('every matcher must hold; at least one names a value (no match-all silence)'),
      startsAt: time.optional().describe('start: ISO 8601 or epoch ms; default now'),
      endsAt: time.optional().describe('end: ISO 8601 or epoch ms (or give durationSeconds)'),
      durationSeconds: z
        .number()
        .positive()
        .finite()
        .optional()
        .describe('length from startsAt, seconds, when endsAt is not given'),
      createdBy: z.string().max(200).optional().describe('who; default api'),
      comment: z.string().max(10_000).optional().describe('why; default empty'),
    })
    .strict()
    .describe('A silence: mutes matching alerts from startsAt to endsAt'),
  'SILENCE_INVALID',
);

const silenceAnswer = z
  .object({
    id: z.string().uuid().describe('silence id (a UUID)'),
    matchers: z.array(z.string()).describe('PromQL matchers, label="value"'),
    startsAt: z.string().describe('ISO 8601'),
    endsAt: z.string().describe('ISO 8601 (expiring a silence moves it to now)'),
    createdBy: z.string(),
    comment: z.string(),
    state: z
      .enum(['pending', 'active', 'expired'])
      .describe('pending: starts later; active: mutes now; expired: ended'),
  })
  .strict()
  .describe('A silence');
const silencesAnswer = z
  .object({
    silences: z.array(silenceAnswer).describe('by start time; expired ones are kept'),
    nextOffset,
  })
  .strict()
  .describe('Every silence, expired ones included');

/**
 * Ids are the UUIDs POST makes, so anything else names no silence: 404 NOT_FOUND, as an
 * unknown UUID is, with a message saying why.
 */
const idParams = withErrorCode(
  z
    .object({ id: z.string().uuid('must be a silence id (a UUID)').describe('silence id') })
    .strict(),
  'NOT_FOUND',
);
const expired = { type: 'null', description: 'Expired (no body); the silence stays listed' };

const pageOnly = listQuery({});
/** The body as parsed from JSON, before the schema: the silence parser judges what was sent. */
const sentBodies = new WeakMap<FastifyRequest, unknown>();

/** /api/v1/silences: create (with an expiry), list, expire. */
export const silenceRoutes: FastifyPluginAsync<SilenceRoutesOptions> = async (plain, options) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const nowMs = options.nowMs ?? Date.now;
  app.post(
    '/api/v1/silences',
    {
      schema: { body: silenceBody, response: { 201: silenceAnswer } },
      attachValidation: true,
      preValidation: async (request) => {
        sentBodies.set(request, request.body);
      },
    },
    async (request, reply) => {
      const now = nowMs();
      const failure = request.validationError;
      const parsed = parseSilenceRequest(sentBodies.get(request), now);
      if (failure) throw failure;
      const silence: Silence = { id: randomUUID(), ...parsed };
      options.silenceStore.add(silence, now);
      return reply.status(201).send(presentSilence(silence, now));
    },
  );
  app.get(
    '/api/v1/silences',
    { schema: { querystring: pageOnly, response: { 200: silencesAnswer } } },
    async (request) => {
      const page = paginate(options.silenceStore.list(), request.query);
      const now = nowMs();
      return {
        silences: page.items.map((s) => presentSilence(s, now)),
        nextOffset: page.nextOffset,
      };
    },
  );
  app.delete(
    '/api/v1/silences/:id',
    { schema: { params: idParams, response: { 204: expired } } },
    async (request, reply) => {
      if (!options.silenceStore.expire(request.params.id, nowMs())) {
        throw new PipewatchError('NOT_FOUND', `no silence ${request.params.id}`, {
          id: request.params.id,
        });
      }
      return reply.status(204).send();
    },
  );
};
