import type { FastifyPluginAsync } from 'fastify';
import type { CaptureResult } from '../../collector/index.js';
import { PipewatchError } from '../../common/index.js';
import type { ReferenceStore } from '../../store/index.js';
import { presentReference, referenceFromBody } from './reference-body.js';

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
}

const time = { type: ['integer', 'string'] } as const;
const captureBody = {
  type: 'object',
  required: ['topic', 'feature', 'from', 'to'],
  properties: {
    topic: { type: 'string', minLength: 1, maxLength: 249, pattern: '^[a-zA-Z0-9._-]+$' },
    feature: { type: 'string', minLength: 1, maxLength: 249 },
    from: time,
    to: time,
    kind: { type: 'string', enum: ['numeric', 'categorical'] },
    bins: { type: 'integer', minimum: 2, maximum: 1000 },
    fineBins: { type: 'integer', minimum: 10, maximum: 5000 },
  },
} as const;
const known = Object.keys(captureBody.properties);

interface CaptureBody {
  topic: string;
  feature: string;
  from: number | string;
  to: number | string;
  kind?: 'numeric' | 'categorical';
  bins?: number;
  fineBins?: number;
}

/** Epoch ms, or an ISO-8601 time. */
function epochMs(value: number | string, field: string): number {
  const ms = typeof value === 'number' ? value : Date.parse(value);
  if (!Number.isFinite(ms)) {
    throw new PipewatchError('BAD_REQUEST', `body/${field} must be epoch ms or an ISO-8601 time`, {
      field: `body/${field}`,
    });
  }
  return ms;
}

/** POST /api/v1/references/capture: register a reference from what a topic carried. */
export const referenceCaptureRoute: FastifyPluginAsync<CaptureRouteOptions> = async (
  app,
  options,
) => {
  app.post<{ Body: CaptureBody }>(
    '/api/v1/references/capture',
    { schema: { body: captureBody } },
    async (request, reply) => {
      const body = request.body;
      const unknown = Object.keys(body).find((k) => !known.includes(k));
      if (unknown !== undefined) {
        throw new PipewatchError(
          'REFERENCE_INVALID',
          `body/${unknown} is not a known field (known: ${known.join(', ')})`,
          { field: `body/${unknown}` },
        );
      }
      const fromMs = epochMs(body.from, 'from');
      const toMs = epochMs(body.to, 'to');
      const captured = await options.captureValues({
        topic: body.topic,
        feature: body.feature,
        fromMs,
        toMs,
      });
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
      const built = referenceFromBody({
        topic: body.topic,
        feature: body.feature,
        kind,
        values,
        bins: body.bins,
        fineBins: kind === 'numeric' ? body.fineBins : undefined,
      });
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
