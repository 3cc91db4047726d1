import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import { referenceCaptureRoute, type CaptureValues } from './reference-capture.js';
import { PipewatchError } from '../../common/index.js';
import type { ReferenceStore } from '../../store/index.js';
import { featureName, topicName } from './names.js';
import {
  defaultReferenceLimits,
  presentReference,
  referenceFromBody,
  registerBodySchema,
  type ReferenceLimits,
} from './reference-body.js';
import {
  referenceDeleteBody,
  referenceListBody,
  storedReferenceBody,
} from './reference-schemas.js';
import { listQuery, paginate, queryScalar, versionNumber } from './request.js';
import type { ZodTypeProvider } from '../route-schema.js';

export interface ReferenceRoutesOptions {
  readonly referenceStore: ReferenceStore;
  /** Enables POST /api/v1/references/capture (reads the live topic). */
  readonly captureValues?: CaptureValues;
  /** Clock for `createdAtMs`; default Date.now. */
  readonly nowMs?: () => number;
  /** Caps (config `references`); default `defaultReferenceLimits`, the config defaults. */
  readonly limits?: ReferenceLimits;
}

const pathParams = z
  .object({
    topic: topicName.describe('Kafka topic'),
    feature: featureName.describe('feature (field name or dotted path)'),
  })
  .strict();
const versionQuery = z
  .object({
    version: queryScalar(versionNumber)
      .optional()
      .describe('one version (1, 2, ...); the latest when absent (GET) or every version (DELETE)'),
  })
  .strict();
const topicQuery = listQuery({
  topic: queryScalar(topicName).optional().describe('only the references of this topic'),
});

/**
 * /api/v1/references: register, list, fetch and delete versioned drift references. Every
 * request part is parsed by the route schemas (strict zod, no coercion); the register body's
 * semantics (one source, a valid reference) are `referenceFromBody`'s, answering
 * REFERENCE_INVALID. Body limits: POST /api/v1/references takes `references.maxBodyBytes`
 * (default 32 MiB); every other route keeps fastify's 1 MiB default or less.
 */
export const referenceRoutes: FastifyPluginAsync<ReferenceRoutesOptions> = async (
  plain,
  options,
) => {
  const app = plain.withTypeProvider<ZodTypeProvider>();
  const store = options.referenceStore;
  const nowMs = options.nowMs ?? Date.now;
  const limits = options.limits ?? defaultReferenceLimits;
  if (options.captureValues) {
    await app.register(referenceCaptureRoute, {
      referenceStore: store,
      captureValues: options.captureValues,
      nowMs,
      limits,
    });
  }

  app.post(
    '/api/v1/references',
    {
      bodyLimit: limits.maxBodyBytes,
      schema: {
        body: registerBodySchema(limits),
        response: { 201: storedReferenceBody.describe('The registered reference version') },
      },
    },
    async (request, reply) => {
      const body = request.body;
      const { reference, source, details } = referenceFromBody(body, limits);
      const stored = store.register(
        { topic: body.topic, feature: body.feature, source, reference, details },
        nowMs(),
      );
      return reply.status(201).send(presentReference(stored));
    },
  );

  app.get(
    '/api/v1/references',
    { schema: { querystring: topicQuery, response: { 200: referenceListBody } } },
    async (request) => {
      const { topic, ...pageQuery } = request.query;
      const page = paginate(store.list({ topic }), pageQuery);
      // Rows that no longer validate are not references; they are named so they can be fixed.
      return {
        references: page.items,
        invalid: store.invalid?.({ topic }) ?? [],
        nextOffset: page.nextOffset,
      };
    },
  );

  app.get(
    '/api/v1/references/:topic/:feature',
    {
      schema: {
        params: pathParams,
        querystring: versionQuery,
        response: { 200: storedReferenceBody },
      },
    },
    async (request) => {
      const { topic, feature } = request.params;
      const { version } = request.query;
      const stored = store.get(topic, feature, version);
      if (stored) return presentReference(stored);
      throw unreadable(store, topic, feature, version) ?? notFound(topic, feature, version);
    },
  );

  app.delete(
    '/api/v1/references/:topic/:feature',
    {
      schema: {
        params: pathParams,
        querystring: versionQuery,
        response: { 200: referenceDeleteBody },
      },
    },
    async (request) => {
      const { topic, feature } = request.params;
      const { version } = request.query;
      const deleted = store.delete(topic, feature, version);
      if (deleted === 0) throw notFound(topic, feature, version);
      return { deleted };
    },
  );
};

function unreadable(
  store: ReferenceStore,
  topic: string,
  feature: string,
  version: number | undefined,
): PipewatchError | undefined {
  const bad = (store.invalid?.({ topic }) ?? []).filter(
    (r) => r.feature === feature && (version === undefined || r.version === version),
  );
  if (bad.length === 0) return undefined;
  const versions = bad.map((r) => r.version).join(', ');
  return new PipewatchError(
    'REFERENCE_UNREADABLE',
    `the stored reference for topic ${topic}, feature ${feature} (version ${versions}) no longer validates: ${bad[0]!.error}; delete it or register a new version`,
    { topic, feature, versions: bad.map((r) => r.version) },
  );
}

function notFound(topic: string, feature: string, version: number | undefined) {
  const which = version === undefined ? 'any version' : `version ${version}`;
  return new PipewatchError(
    'NOT_FOUND',
    `no reference for topic ${topic}, feature ${feature} (${which})`,
    { topic, feature, version },
  );
}
