import { randomUUID } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { PipewatchError } from '../../common/index.js';
import { listQuery, paginate, parsePart } from './request.js';
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
  };
}

const pageOnly = listQuery({});

/** /api/v1/silences: create (with an expiry), list, expire. */
export const silenceRoutes: FastifyPluginAsync<SilenceRoutesOptions> = async (app, options) => {
  const nowMs = options.nowMs ?? Date.now;
  app.post('/api/v1/silences', async (request, reply) => {
    const now = nowMs();
    const silence: Silence = { id: randomUUID(), ...parseSilenceRequest(request.body, now) };
    options.silenceStore.add(silence, now);
    return reply.status(201).send(presentSilence(silence, now));
  });
  app.get('/api/v1/silences', async (request) => {
    const page = paginate(
      options.silenceStore.list(),
      parsePart(pageOnly, request.query, 'querystring'),
    );
    const now = nowMs();
    return {
      silences: page.items.map((s) => presentSilence(s, now)),
      nextOffset: page.nextOffset,
    };
  });
  app.delete<{ Params: { id: string } }>('/api/v1/silences/:id', async (request, reply) => {
    if (!options.silenceStore.expire(request.params.id, nowMs())) {
      throw new PipewatchError('NOT_FOUND', `no silence ${request.params.id}`);
    }
    return reply.status(204).send();
  });
};
