/**
 * Parses request parts with strict zod schemas. Nothing is coerced: a number where a string
 * is expected (or the reverse) is an error, and an unknown field is an error, never dropped.
 * Every error names the field as `body/values/3`, `querystring/version` or `params/feature`.
 */
import { z, type ZodIssue } from 'zod';
import { PipewatchError, type ErrorCode } from '../../common/index.js';

export type RequestPart = 'body' | 'querystring' | 'params';

function describeIssue(issue: ZodIssue): { path: (string | number)[]; message: string } {
  if (issue.code === 'unrecognized_keys') {
    return { path: [...issue.path, issue.keys[0]!], message: 'is not a known field' };
  }
  if (issue.code === 'invalid_type' && issue.received === 'undefined') {
    return { path: issue.path, message: 'is required' };
  }
  const message = issue.message.startsWith('must')
    ? issue.message
    : `: ${issue.message.charAt(0).toLowerCase()}${issue.message.slice(1)}`;
  return { path: issue.path, message };
}

/** The parsed value, or a 4xx error naming the first field at fault. */
export function parsePart<T>(
  schema: z.ZodType<T, z.ZodTypeDef, unknown>,
  value: unknown,
  part: RequestPart,
  code: ErrorCode = 'BAD_REQUEST',
): T {
  const result = schema.safeParse(value === undefined && part !== 'body' ? {} : value);
  if (result.success) return result.data;
  const first = result.error.issues[0]!;
  const { path, message } = describeIssue(first);
  const field = [part, ...path].join('/');
  throw new PipewatchError(code, `${field}${message.startsWith(':') ? '' : ' '}${message}`, {
    field,
  });
}

/**
 * One query-string value. A repeated key (`?topic=a&topic=b`) arrives as an array and is an
 * error, not "the first one wins"; `topic[]=a` arrives as an unknown key `topic[]`.
 */
export function queryScalar<T>(schema: z.ZodType<T, z.ZodTypeDef, string>) {
  return z.string({ invalid_type_error: 'must be given once, as one value' }).pipe(schema);
}

/** A positive 32-bit version number in a query string ("1", "2", ...; no "01", no "1.0"). */
export const versionNumber = z
  .string()
  .regex(/^[1-9][0-9]{0,9}$/, 'must be a positive integer')
  .transform(Number)
  .refine((v) => v <= 2_147_483_647, { message: 'must be at most 2147483647' });

/** Every list endpoint pages the same way: `?limit=N&offset=N`, answering `nextOffset`. */
export const defaultPageLimit = 100;
export const maxPageLimit = 1000;

const pageFields = {
  limit: queryScalar(
    z
      .string()
      .regex(/^[1-9][0-9]{0,9}$/, `must be an integer from 1 to ${maxPageLimit}`)
      .transform(Number)
      .refine((v) => v <= maxPageLimit, { message: `must be at most ${maxPageLimit}` }),
  )
    .optional()
    .describe(`items per page, count: 1 to ${maxPageLimit}; default ${defaultPageLimit}`),
  offset: queryScalar(
    z
      .string()
      .regex(/^(0|[1-9][0-9]{0,9})$/, 'must be a non-negative integer')
      .transform(Number)
      .refine((v) => v <= 2_147_483_647, { message: 'must be at most 2147483647' }),
  )
    .optional()
    .describe('items to skip, count; default 0 (pass the previous answer’s nextOffset)'),
};

/** The `nextOffset` every page answers. */
export const nextOffset = z
  .number()
  .int()
  .nonnegative()
  .nullable()
  .describe('offset of the next page; null on the last page');

/** The query of a list endpoint: its own filters plus limit and offset; unknown keys are 400s. */
export function listQuery<S extends z.ZodRawShape>(filters: S) {
  return z.object({ ...filters, ...pageFields }).strict();
}

export interface Page<T> {
  readonly items: T[];
  /** Offset of the next page, or null when this page is the last. */
  readonly nextOffset: number | null;
}

/**
 * One page of a list (already in its stable order). Offsets, not cursors: every list here is
 * small, ordered by a unique key and rarely written, so a skipped or repeated item needs a
 * write between two page reads.
 */
export function paginate<T>(
  all: readonly T[],
  query: { limit?: number; offset?: number },
): Page<T> {
  const limit = query.limit ?? defaultPageLimit;
  const offset = query.offset ?? 0;
  const items = all.slice(offset, offset + limit);
  return { items, nextOffset: offset + limit < all.length ? offset + limit : null };
}
