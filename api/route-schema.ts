/**
 * Route schemas are zod schemas, and they serve twice: one validator compiler parses every
 * body, query string and path with them (strict, nothing coerced, errors naming the field as
 * `body/values/3`), and the OpenAPI document at /docs is generated from the same objects, so
 * the document cannot say one thing while the validation does another. Response schemas
 * document the answers; with `checkResponses` (the test runner turns it on) every answer is
 * parsed against its schema before it is sent, and a mismatch is a 500 naming the field.
 */
import type {
  FastifyInstance,
  FastifySchema,
  FastifySchemaCompiler,
  FastifySerializerCompiler,
  FastifyTypeProvider,
} from 'fastify';
import { z } from 'zod';
import { zodToJsonSchema } from 'zod-to-json-schema';
import { errorCatalogue, type ErrorCode } from '../common/index.js';
import { parsePart, type RequestPart } from './routes/request.js';

/** Types `request.body`, `.query` and `.params` from the route's zod schemas. */
export interface ZodTypeProvider extends FastifyTypeProvider {
  validator: this['schema'] extends z.ZodTypeAny ? z.output<this['schema']> : unknown;
  serializer: this['schema'] extends z.ZodTypeAny ? z.input<this['schema']> : unknown;
}

const errorCodes = new WeakMap<z.ZodTypeAny, ErrorCode>();

/** The catalogue code a request part's failure answers with (default BAD_REQUEST). */
export function withErrorCode<S extends z.ZodTypeAny>(schema: S, code: ErrorCode): S {
  errorCodes.set(schema, code);
  return schema;
}

const catalogueCodes = Object.keys(errorCatalogue) as [ErrorCode, ...ErrorCode[]];

/** The one error shape of the API: a stable catalogue code and a message naming the field. */
export const errorBody = z
  .object({
    error: z
      .object({
        code: z.enum(catalogueCodes).describe('a stable code of the error catalogue'),
        message: z.string().describe('what was wrong and where (`body/values/3 …`)'),
        details: z.record(z.unknown()).optional().describe('the field at fault and limits'),
      })
      .strict(),
  })
  .strict()
  .describe('An error');

function requestPart(httpPart: string | undefined): RequestPart {
  if (httpPart === 'body' || httpPart === 'params') return httpPart;
  if (httpPart === 'querystring') return 'querystring';
  throw new Error(`route schemas cover body, querystring and params, not ${httpPart}`);
}

const isZod = (schema: unknown): schema is z.ZodType<unknown, z.ZodTypeDef, unknown> =>
  schema instanceof z.ZodType;

const notZod = (what: string) =>
  new Error(`${what} is not a zod schema: every request schema of the API is one`);

export const zodValidatorCompiler: FastifySchemaCompiler<unknown> = ({
  schema,
  httpPart,
  method,
  url,
}) => {
  if (!isZod(schema)) throw notZod(`the ${httpPart} schema of ${method} ${url}`);
  const part = requestPart(httpPart);
  const code = errorCodes.get(schema);
  return (data: unknown) => {
    try {
      // Fastify hands a missing part over as null; a missing body "is required".
      const value: unknown = parsePart(schema, data === null ? undefined : data, part, code);
      return { value };
    } catch (error) {
      return { error: error as Error };
    }
  };
};

function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0]!;
  return `${issue.path.join('/') || '(root)'}: ${issue.message}`;
}

/** JSON answers; with checkResponses, each is parsed against its documented schema first. */
export function zodSerializerCompiler(checkResponses: boolean): FastifySerializerCompiler<unknown> {
  return ({ schema, method, url, httpStatus }) => {
    if (!isZod(schema) || !checkResponses) return (data) => JSON.stringify(data);
    return (data) => {
      const result = schema.safeParse(data);
      if (!result.success) {
        throw new Error(
          `${method} ${url} ${httpStatus}: the answer does not match its documented schema at ${firstIssue(result.error)}`,
        );
      }
      return JSON.stringify(data);
    };
  };
}

/**
 * Every documented route (one with response schemas) documents, and when checked answers,
 * its errors in the one shape. Routes without response schemas are left alone: the embedded
 * registry mounted under a prefix answers Confluent's error shape, not ours.
 */
const errorResponses = { '4xx': errorBody, '5xx': errorBody };

/**
 * Installs the compilers and the error responses on every route registered after this call
 * (the app is not encapsulated, so that is every API route).
 */
export function useZodRouteSchemas(app: FastifyInstance, checkResponses: boolean): void {
  app.setValidatorCompiler(zodValidatorCompiler);
  app.setSerializerCompiler(zodSerializerCompiler(checkResponses));
  app.addHook('onRoute', (route) => {
    const response = route.schema?.response as Record<string, unknown> | undefined;
    if (!route.schema || !response) return;
    route.schema = { ...route.schema, response: { ...errorResponses, ...response } };
  });
}

/**
 * Transforms document what they read (`effectStrategy: input`). A pipe documents its second
 * half: query values are `string-once.pipe(rule)` (request.ts), and the rule (pattern, enum,
 * length) is what a client needs to see, not "a string".
 */
const jsonSchemaOptions = {
  target: 'openApi3',
  $refStrategy: 'none',
  effectStrategy: 'input',
  pipeStrategy: 'output',
} as const;

/**
 * Two repairs of zod-to-json-schema's OpenAPI 3.0 output. A nullable enum must list null
 * among its values (OpenAPI 3.0.3 clarifies `nullable`; without it a validator refuses the
 * null the server sends), and `z.null()` comes out as the *string* enum `"null"`.
 */
function repairNullable(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(repairNullable);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = Object.fromEntries(
    Object.entries(node).map(([key, value]) => [key, repairNullable(value)]),
  );
  if (out.nullable !== true || !Array.isArray(out.enum)) return out;
  if (out.type === undefined && out.enum.length === 1 && out.enum[0] === 'null') {
    return { ...out, enum: [null] };
  }
  return out.enum.includes(null) ? out : { ...out, enum: [...(out.enum as unknown[]), null] };
}

function toJsonSchema(schema: unknown) {
  if (!isZod(schema)) return schema;
  const { $schema: _ignored, ...json } = zodToJsonSchema(schema, jsonSchemaOptions) as Record<
    string,
    unknown
  >;
  return repairNullable(json);
}

/** @fastify/swagger's `transform`: the route's zod schemas as OpenAPI 3 JSON schemas. */
export function openApiFromZod({ schema, url }: { schema: FastifySchema; url: string }): {
  schema: FastifySchema;
  url: string;
} {
  if (!schema) return { schema, url };
  const parts = schema as Record<string, unknown>;
  const out: Record<string, unknown> = { ...parts };
  for (const part of ['body', 'querystring', 'params'] as const) {
    if (parts[part] !== undefined) out[part] = toJsonSchema(parts[part]);
  }
  if (parts.response) {
    out.response = Object.fromEntries(
      Object.entries(parts.response as Record<string, unknown>).map(([status, s]) => [
        status,
        toJsonSchema(s),
      ]),
    );
  }
  return { schema: out, url };
}
