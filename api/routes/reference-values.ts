/**
 * The `values` array of a reference body: up to `references.maxValues` (default 10^6) finite
 * numbers, strings or nulls. It is a zod array of `number | string | null`, so the OpenAPI
 * document shows exactly that, but it checks its elements in one plain loop instead of one zod
 * union parse per element: at 10^6 values a union costs seconds and a zod issue object per
 * failed branch (1 s numeric, 6 s categorical measured), the loop a few milliseconds.
 */
import { z } from 'zod';

// `union(...).nullable()`, not a union with z.null(): OpenAPI 3.0 has no null type, and
// zod-to-json-schema renders z.null() inside a union as the string enum "null".
const element = z
  .union([z.number(), z.string()])
  .nullable()
  .describe('a finite number (numeric feature), a string (categorical feature) or null');

type Element = typeof element;

function kindOf(v: unknown): string {
  if (typeof v !== 'object') return typeof v;
  return Array.isArray(v) ? 'an array' : 'an object';
}

const isValue = (v: unknown) =>
  v === null || typeof v === 'string' || (typeof v === 'number' && Number.isFinite(v));

class ReferenceValues extends z.ZodArray<Element> {
  override _parse(input: z.ParseInput): z.ParseReturnType<this['_output']> {
    const { ctx } = this._processInputParams(input);
    if (ctx.parsedType !== z.ZodParsedType.array) {
      z.addIssueToContext(ctx, {
        code: z.ZodIssueCode.invalid_type,
        expected: z.ZodParsedType.array,
        received: ctx.parsedType,
      });
      return z.INVALID;
    }
    const values = ctx.data as unknown[];
    const { minLength, maxLength } = this._def;
    const length = values.length;
    if (minLength && length < minLength.value) {
      return this.fail(ctx, { code: 'too_small', minimum: minLength.value, ...sized(minLength) });
    }
    if (maxLength && length > maxLength.value) {
      return this.fail(ctx, { code: 'too_big', maximum: maxLength.value, ...sized(maxLength) });
    }
    for (let i = 0; i < length; i++) {
      const v = values[i];
      if (!isValue(v)) {
        return this.fail(ctx, {
          code: 'custom',
          path: [i],
          message: `must be a finite number, a string or null, got ${kindOf(v)}`,
        });
      }
    }
    // The same array, not a copy: no second 10^6-element allocation.
    return z.OK(values as this['_output']);
  }

  private fail(ctx: z.ParseContext, issue: z.IssueData): z.INVALID {
    z.addIssueToContext(ctx, issue);
    return z.INVALID;
  }
}

function sized(bound: { message?: string }) {
  return { type: 'array' as const, inclusive: true, exact: false, message: bound.message };
}

/** `values`: between 1 and maxValues elements, each a finite number, a string or null. */
export function referenceValues(maxValues: number): ReferenceValues {
  return new ReferenceValues({
    type: element,
    typeName: z.ZodFirstPartyTypeKind.ZodArray,
    exactLength: null,
    minLength: { value: 1, message: 'must hold at least one value' },
    maxLength: {
      value: maxValues,
      message: `must hold at most ${maxValues} values (the cap, references.maxValues)`,
    },
  });
}
