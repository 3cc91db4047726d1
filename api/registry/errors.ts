import type { FastifyError, FastifyReply, FastifyRequest } from 'fastify';
import { isPipewatchError, type ErrorCode } from '../../common/index.js';

/** Confluent's error body: every registry error, and nothing else, has this shape. */
export interface ConfluentErrorBody {
  error_code: number;
  message: string;
}

/**
 * Catalogue codes → Confluent error codes. The HTTP status is the code's first three digits;
 * incompatibility answers 409 with error_code 409 (Confluent < 8.0.4; later ones write 40901 in
 * the body, so clients key on the HTTP status).
 */
const confluentCodes: Partial<Record<ErrorCode, number>> = {
  REGISTRY_SUBJECT_NOT_FOUND: 40401,
  REGISTRY_VERSION_NOT_FOUND: 40402,
  REGISTRY_SCHEMA_NOT_FOUND: 40403,
  REGISTRY_SUBJECT_SOFT_DELETED: 40404,
  REGISTRY_SUBJECT_NOT_SOFT_DELETED: 40405,
  REGISTRY_VERSION_SOFT_DELETED: 40406,
  REGISTRY_VERSION_NOT_SOFT_DELETED: 40407,
  REGISTRY_SUBJECT_LEVEL_NOT_CONFIGURED: 40408,
  REGISTRY_SCHEMA_INCOMPATIBLE: 409,
  REGISTRY_SCHEMA_INVALID: 42201,
  REGISTRY_VERSION_INVALID: 42202,
  REGISTRY_LEVEL_INVALID: 42203,
  // Confluent's RestInvalidSubjectException.
  REGISTRY_SUBJECT_INVALID: 42208,
  BAD_REQUEST: 400,
  STORE_FAILURE: 50001,
};

export const httpStatusOfConfluentCode = (code: number): number =>
  code >= 1000 ? Math.floor(code / 100) : code;

/** Error handler of the registry plugin's scope: Confluent bodies, never pipewatch's. */
export function handleRegistryError(
  error: FastifyError | Error,
  request: FastifyRequest,
  reply: FastifyReply,
): FastifyReply {
  let body: ConfluentErrorBody;
  if (isPipewatchError(error) && confluentCodes[error.code] !== undefined) {
    body = { error_code: confluentCodes[error.code]!, message: error.message };
  } else {
    const status = (error as FastifyError).statusCode ?? 500;
    body =
      status >= 400 && status < 500
        ? { error_code: status, message: error.message }
        : { error_code: 500, message: 'Internal Server Error' };
  }
  const status = httpStatusOfConfluentCode(body.error_code);
  if (status >= 500) request.log.error({ err: error }, error.message);
  return reply.status(status).send(body);
}
