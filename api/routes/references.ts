import type { FastifyPluginAsync } from 'fastify';
import { referenceCaptureRoute, type CaptureValues } from './reference-capture.js';
import { PipewatchError } from '../../common/index.js';
import type { ReferenceStore } from '../../store/index.js';
import {
  name,
  presentReference,
  referenceFromBody,
  registerBody,
  registerBodyLimitBytes,
  type RegisterBody,
} from './reference-body.js';

export interface ReferenceRoutesOptions {
  readonly referenceStore: ReferenceStore;
  /** Enables POST /api/v1/references/capture (reads the live topic). */
  readonly captureValues?: CaptureValues;
  /** Clock for `createdAtMs`; default Date.now. */
  readonly nowMs?: () => number;
}

const pathParams = {
  type: 'object',
  required: ['topic', 'feature'],
  properties: { topic: name, feature: name },
} as const;
const versionQuery = {
  type: 'object',
  properties: { version: { type: 'integer', minimum: 1 } },
} as const;

interface PathParams {
  topic: string;
  feature: string;
}

/** /api/v1/references: register, list, fetch and delete versioned drift references. */
export const referenceRoutes: FastifyPluginAsync<ReferenceRoutesOptions> = async (app, options) => {
  const store = options.referenceStore;
  const nowMs = options.nowMs ?? Date.now;
  if (options.captureValues) {
    await app.register(referenceCaptureRoute, {
      referenceStore: store,
      captureValues: options.captureValues,
      nowMs,
    });
  }

  app.post<{ Body: RegisterBody }>(
    '/api/v1/references',
    { bodyLimit: registerBodyLimitBytes, schema: { body: registerBody } },
    async (request, reply) => {
      const { reference, source, details } = referenceFromBody(request.body);
      const stored = store.register(
        { topic: request.body.topic, feature: request.body.feature, source, reference, details },
        nowMs(),
      );
      return reply.status(201).send(presentReference(stored));
    },
  );

  app.get<{ Querystring: { topic?: string } }>(
    '/api/v1/references',
    { schema: { querystring: { type: 'object', properties: { topic: name } } } },
    async (request) => ({ references: store.list({ topic: request.query.topic }) }),
  );

  app.get<{ Params: PathParams; Querystring: { version?: number } }>(
    '/api/v1/references/:topic/:feature',
    { schema: { params: pathParams, querystring: versionQuery } },
    async (request) => {
      const { topic, feature } = request.params;
      const { version } = request.query;
      const stored = store.get(topic, feature, version);
      if (!stored) throw notFound(topic, feature, version);
      return presentReference(stored);
    },
  );

  app.delete<{ Params: PathParams; Querystring: { version?: number } }>(
    '/api/v1/references/:topic/:feature',
    { schema: { params: pathParams, querystring: versionQuery } },
    async (request) => {
      const { topic, feature } = request.params;
      const { version } = request.query;
      const deleted = store.delete(topic, feature, version);
      if (deleted === 0) throw notFound(topic, feature, version);
      return { deleted };
    },
  );
};

function notFound(topic: string, feature: string, version: number | undefined) {
  const which = version === undefined ? 'any version' : `version ${version}`;
  return new PipewatchError(
    'NOT_FOUND',
    `no reference for topic ${topic}, feature ${feature} (${which})`,
    { topic, feature, version },
  );
}
