import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CaptureResult } from '../../collector/index.js';
import { PipewatchError } from '../../common/index.js';
import type { ReferenceStore } from '../../store/index.js';
import { featureName, topicName } from './names.js';
import {
  coarseBinCount,
  fineBinCount,
  presentReference,
  referenceFromBody,
  type ReferenceLimits,
} from './reference-body.js';
import { storedReferenceBody } from './reference-schemas.js';
import type { ZodTypeProvider } from '../route-schema.js';

/** Reads one feature's values from a topic over [fromMs, toMs) (collector/captureReferenceValues). */
export type CaptureValues = (request: {
  readonly topic: string;
  readonly feature: string;
  readonly fromMs: number;
  readonly toMs: number;
}) => Promise<CaptureResult>;

export interface CaptureRouteOptions {
  readonly referenceStore: ReferenceStore;
  readonly captureValues: CaptureValues;
  readonly nowMs: () => number;
  readonly limits: ReferenceLimits;
}

/** The range of a JavaScript Date (and so of `new Date(ms).toISOString()`), in epoch ms. */
const maxEpochMs = 8.64e15;
/** ISO-8601 date or date-time (what Date.parse reads the same on every platform). */
const isoTime = /^\d{4}-\d{2}-\d{2}(T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const timeMessage = `must be epoch ms (an integer in [0, ${maxEpochMs}]) or an ISO-8601 time`;

/** Epoch ms within the Date range (Kafka timestamps are >= 0), from a number or ISO string. */
function epochMs(value: number | string): number {
  return typeof value === 'number' ? value : isoTime.test(value) ? Date.parse(value) : NaN;
}

const time = z
  .union([z.number(), z.string()], { errorMap: () => ({ message: timeMessage }) })
  .transform((value, ctx) => {
    const ms = epochMs(value);
    if (Number.isInteger(ms) && ms >= 0 && ms <= maxEpochMs) return ms;
    ctx.addIssue({ code: z.ZodIssueCode.custom, message: timeMessage });
    return z.NEVER;
  });

const captureBody = z
  .object({
    topic: topicName.describe('the Kafka topic to read'),
    feature: featureName.describe('the field name or dotted path into the record value'),
    from: time.describe(
      'start of the range, inclusive: epoch ms or an ISO-8601 date or date-time (record time)',
    ),
    to: time.describe('end of the range, exclusive: epoch ms or an ISO-8601 time; after from'),
    kind: z
      .enum(['numeric', 'categorical'])
      .optional()
      .describe('which values to keep; inferred from the first non-null value when absent'),
    bins: coarseBinCount.optional().describe('coarse drift bins to build (a count; numeric only)'),
    fineBins: fineBinCount
      .optional()
      .describe('fine bins for the KS statistic (a count; numeric only)'),
  })
  .strict()
  .describe('A time range of a topic to capture one feature from');

/** A capture body is a few hundred bytes; 16 KiB leaves room for long names. */
const captureBodyLimitBytes = 16 * 1024;
/** What a client is told to wait before trying a refused capture again. */
const busyRetryAfterSeconds = 5;

/**
 * POST /api/v1/references/capture: register a reference from what a topic carried. A capture
 * reads the topic (on clusters without offsets-by-timestamp, from the log start), so at most
 * `references.maxConcurrentCaptures` run at once; another answers 429 CAPTURE_BUSY.
 */
export const referenceCaptureRoute: FastifyPluginAsync<CaptureRouteOptions> = async (
  plain,
  options,
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const { maxConcurrentCaptures } = options.limits;
  let running = 0;
  app.post(
    '/api/v1/references/capture',
    {
      bodyLimit: captureBodyLimitBytes,
      schema: {
        body: captureBody,
        response: {
          201: storedReferenceBody.describe(
            'The registered reference; details carry fromMs and toMs (epoch ms), method, and recordsRead, recordsInRange, undecodable, invalid and otherType (counts)',
          ),
        },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { from: fromMs, to: toMs } = body;
      if (!(fromMs < toMs)) {
        throw new PipewatchError('BAD_REQUEST', `body/to must be later than body/from`, {
          field: 'body/to',
          fromMs,
          toMs,
        });
      }
      if (running >= maxConcurrentCaptures) {
        throw new PipewatchError(
          'CAPTURE_BUSY',
          `${running} reference capture(s) already running, as many as references.maxConcurrentCaptures (${maxConcurrentCaptures}) allows; retry when one finishes`,
          { running, maxConcurrentCaptures, retryAfterSeconds: busyRetryAfterSeconds },
        );
      }
      running++;
      let captured: CaptureResult;
      try {
        captured = await options.captureValues({
          topic: body.topic,
          feature: body.feature,
          fromMs,
          toMs,
        });
      } finally {
        running--;
      }
      const firstValue = captured.values.find((v) => v !== null);
      const kind = body.kind ?? (typeof firstValue === 'string' ? 'categorical' : 'numeric');
      const wanted = kind === 'numeric' ? 'number' : 'string';
      const values = captured.values.filter((v) => v === null || typeof v === wanted);
      const { values: _values, ...counts } = captured;
      const details = {
        fromMs,
        toMs,
        ...counts,
        otherType: captured.values.length - values.length,
      };
      if (!values.some((v) => v !== null)) {
        throw new PipewatchError(
          'REFERENCE_INVALID',
          `captured no ${kind} values of ${body.feature} on ${body.topic} in [${new Date(fromMs).toISOString()}, ${new Date(toMs).toISOString()})`,
          details,
        );
      }
      const built = referenceFromBody(
        {
          topic: body.topic,
          feature: body.feature,
          kind,
          values,
          bins: body.bins,
          fineBins: kind === 'numeric' ? body.fineBins : undefined,
        },
        options.limits,
      );
      const stored = options.referenceStore.register(
        {
          topic: body.topic,
          feature: body.feature,
          source: 'capture',
          reference: built.reference,
          details: { ...built.details, ...details },
        },
        options.nowMs(),
      );
      return reply.status(201).send(presentReference(stored));
    },
  );
};
