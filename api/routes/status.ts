import { readFileSync } from 'node:fs';
import type { FastifyPluginAsync } from 'fastify';
import type { ReadingsBoard } from '../../monitor/index.js';
import { statusSummary } from '../status/summary.js';

export interface StatusRoutesOptions {
  readonly board: ReadingsBoard;
  /** Clock of the summary's generatedAtMs; default Date.now. */
  readonly nowMs?: () => number;
}

/**
 * `/`: the status page (one self-contained HTML file, no external assets, so it works offline
 * and behind any proxy) and `/api/v1/status`, the board summarised for it.
 */
export const statusRoutes: FastifyPluginAsync<StatusRoutesOptions> = async (app, options) => {
  const page = readFileSync(new URL('../status/page.html', import.meta.url), 'utf8');
  const now = options.nowMs ?? Date.now;
  app.get('/', async (_request, reply) => reply.type('text/html; charset=utf-8').send(page));
  app.get('/api/v1/status', async () => statusSummary(options.board.readings(), now()));
};
