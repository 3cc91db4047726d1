import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { SchemaRegistry, SchemaRequest, SubjectSchema } from '../../schemas/index.js';
import { PipewatchError } from '../../common/index.js';
import { subjectProblem } from '../routes/names.js';
import { handleRegistryError } from './errors.js';

export const registryContentType = 'application/vnd.schemaregistry.v1+json';

export interface RegistryApiOptions {
  readonly registry: SchemaRegistry;
}

type Params = { subject: string; version: string; id: string };
type Req = FastifyRequest<{ Params: Params; Querystring: Record<string, string | undefined> }>;

const flag = (request: Req, name: string) => request.query[name] === 'true';
const bodyOf = (request: Req): Record<string, unknown> =>
  request.body !== null && typeof request.body === 'object' && !Array.isArray(request.body)
    ? (request.body as Record<string, unknown>)
    : {};
const schemaRequest = (request: Req): SchemaRequest => bodyOf(request);
/** Confluent omits schemaType for AVRO. */
const subjectSchemaBody = ({ schemaType, ...rest }: SubjectSchema) =>
  schemaType === 'AVRO' ? rest : { ...rest, schemaType };
const levelOf = (request: Req) => {
  const body = bodyOf(request);
  return body.compatibility ?? body.compatibilityLevel;
};

/**
 * Confluent Schema Registry REST API (the subset clients and the usual tools use) as a fastify
 * plugin. It sets its own error handler and 404 handler, so it can be mounted at the root of its
 * own server (api/registry/server.ts) or under a prefix of another app.
 *
 * Known differences from Confluent: AVRO only (JSON/PROTOBUF and references answer 42201);
 * incompatibility is error_code 409 (Confluent >= 8.0.4 writes 40901); the compatibility test
 * checks every live version when the level is _TRANSITIVE, even when a version is named
 * (Confluent checks only the named one, schema-registry issue #2747; Karapace goes transitive);
 * no modes, contexts, rule sets or metadata.
 */
export const schemaRegistryApi: FastifyPluginAsync<RegistryApiOptions> = async (app, options) => {
  const { registry } = options;
  app.setErrorHandler(handleRegistryError);
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ error_code: 404, message: `HTTP 404 Not Found: ${request.url}` }),
  );
  // Confluent accepts its own media types and octet-stream bodies as JSON.
  app.addContentTypeParser(
    [registryContentType, 'application/vnd.schemaregistry+json', 'application/octet-stream'],
    { parseAs: 'string' },
    app.getDefaultJsonParser('error', 'error'),
  );
  // Names and query flags are checked once, before any handler: a subject Confluent would
  // refuse (or a path trick) answers 42208, a flag given twice answers 400 (never "first wins").
  app.addHook('preHandler', async (request) => {
    const { subject } = (request.params ?? {}) as { subject?: string };
    if (subject !== undefined) {
      const problem = subjectProblem(subject);
      if (problem !== undefined) {
        throw new PipewatchError(
          'REGISTRY_SUBJECT_INVALID',
          `Invalid subject ${JSON.stringify(subject)}: a subject ${problem}`,
          { subject },
        );
      }
    }
    const query = (request.query ?? {}) as Record<string, unknown>;
    for (const [key, value] of Object.entries(query)) {
      if (typeof value !== 'string') {
        throw new PipewatchError('BAD_REQUEST', `query parameter ${key} must be given once`, {
          field: `querystring/${key}`,
        });
      }
    }
  });
  // After serialisation, so errors and 404s carry it too (and no charset suffix, as Confluent).
  app.addHook('onSend', async (_request, reply, payload) => {
    reply.header('content-type', registryContentType);
    return payload;
  });

  app.get('/', async () => ({}));
  app.get('/schemas/types', async () => ['AVRO']);
  app.get('/subjects', async (r: Req) => registry.subjects({ includeDeleted: flag(r, 'deleted') }));
  app.get('/subjects/:subject/versions', async (r: Req) =>
    registry.versions(r.params.subject, { includeDeleted: flag(r, 'deleted') }),
  );
  app.post('/subjects/:subject/versions', async (r: Req) =>
    registry.register(r.params.subject, schemaRequest(r)),
  );
  app.post('/subjects/:subject', async (r: Req) =>
    subjectSchemaBody(
      registry.lookup(r.params.subject, schemaRequest(r), { includeDeleted: flag(r, 'deleted') }),
    ),
  );
  app.delete('/subjects/:subject', async (r: Req) =>
    registry.deleteSubject(r.params.subject, { permanent: flag(r, 'permanent') }),
  );
  app.get('/subjects/:subject/versions/:version', async (r: Req) =>
    subjectSchemaBody(
      registry.version(r.params.subject, r.params.version, { includeDeleted: flag(r, 'deleted') }),
    ),
  );
  app.get('/subjects/:subject/versions/:version/schema', async (r: Req, reply) =>
    reply.send(
      registry.version(r.params.subject, r.params.version, { includeDeleted: flag(r, 'deleted') })
        .schema,
    ),
  );
  app.delete('/subjects/:subject/versions/:version', async (r: Req) =>
    registry.deleteVersion(r.params.subject, r.params.version, {
      permanent: flag(r, 'permanent'),
    }),
  );
  app.get('/schemas/ids/:id', async (r: Req) => {
    const { schema, schemaType } = registry.schemaById(r.params.id);
    return schemaType === 'AVRO' ? { schema } : { schema, schemaType };
  });
  app.get('/schemas/ids/:id/schema', async (r: Req, reply) =>
    reply.send(registry.schemaById(r.params.id).schema),
  );
  app.get('/schemas/ids/:id/versions', async (r: Req) =>
    registry.subjectVersionsOfSchema(r.params.id),
  );

  app.get('/config', async () => ({ compatibilityLevel: registry.globalLevel() }));
  app.put('/config', async (r: Req) => ({ compatibility: registry.setGlobalLevel(levelOf(r)) }));
  app.get('/config/:subject', async (r: Req) => ({
    compatibilityLevel: registry.subjectLevel(r.params.subject, {
      defaultToGlobal: flag(r, 'defaultToGlobal'),
    }),
  }));
  app.put('/config/:subject', async (r: Req) => ({
    compatibility: registry.setSubjectLevel(r.params.subject, levelOf(r)),
  }));
  app.delete('/config/:subject', async (r: Req) => ({
    compatibilityLevel: registry.deleteSubjectLevel(r.params.subject),
  }));

  const compatibility = async (r: Req) => {
    const result = registry.testCompatibility(
      r.params.subject,
      r.params.version ?? 'latest',
      schemaRequest(r),
    );
    return flag(r, 'verbose')
      ? { is_compatible: result.compatible, messages: result.messages }
      : { is_compatible: result.compatible };
  };
  app.post('/compatibility/subjects/:subject/versions/:version', compatibility);
  // Newer Confluent: no version means "as registration would check".
  app.post('/compatibility/subjects/:subject/versions', compatibility);
};
