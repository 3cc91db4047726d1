/**
 * The paging parts of the list routes' schemas, described for the document: request.ts's
 * `listQuery` with `limit` and `offset` described (request.ts leaves them bare), and the
 * `nextOffset` every page answers.
 */
import { z } from 'zod';
import { defaultPageLimit, listQuery, maxPageLimit } from './request.js';

/** `listQuery(filters)` with limit and offset described. */
export function pagedQuery<S extends z.ZodRawShape>(filters: S) {
  const query = listQuery(filters);
  return query
    .extend({
      limit: query.shape.limit.describe(
        `items per page, count: 1 to ${maxPageLimit}; default ${defaultPageLimit}`,
      ),
      offset: query.shape.offset.describe('items to skip, count; default 0'),
    })
    .strict();
}

export const nextOffset = z
  .number()
  .int()
  .nonnegative()
  .nullable()
  .describe('offset of the next page; null on the last page');
