/**
 * The one catalogue of pipewatch error codes. Codes are stable: tools and tests key on them.
 * Each code carries a kind; only api/ maps kinds to HTTP statuses, and only cli/ maps them to
 * exit codes. `retryable` says whether the same call may succeed later unchanged.
 */
export type ErrorKind =
  | 'invalid_input'
  | 'unauthenticated'
  | 'not_found'
  | 'conflict'
  | 'unavailable'
  | 'unsupported'
  | 'internal'
  /** The input is well-formed but larger than a documented cap allows. */
  | 'too_large'
  /** A bounded resource is in use: the same call may succeed later (see retryable). */
  | 'busy';

interface CatalogueEntry {
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly description: string;
}

export const errorCatalogue = {
  CONFIG_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'The configuration file or a PIPEWATCH_* variable has a bad or unknown key.',
  },
  CONFIG_FILE_UNREADABLE: {
    kind: 'invalid_input',
    retryable: false,
    description: 'The configuration file cannot be read or is not valid YAML.',
  },
  USAGE: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A command-line flag or argument is missing or malformed.',
  },
  BAD_REQUEST: {
    kind: 'invalid_input',
    retryable: false,
    description: 'An API request body, query or path parameter is malformed.',
  },
  UNAUTHENTICATED: {
    kind: 'unauthenticated',
    retryable: false,
    description:
      'The request needs a valid API token (Authorization: Bearer <token>) and had none or a wrong one.',
  },
  NOT_FOUND: { kind: 'not_found', retryable: false, description: 'The resource does not exist.' },
  CONFLICT: {
    kind: 'conflict',
    retryable: false,
    description: 'The request conflicts with the current state.',
  },
  KAFKA_UNREACHABLE: {
    kind: 'unavailable',
    retryable: true,
    description: 'No configured Kafka broker answered.',
  },
  KAFKA_API_UNSUPPORTED: {
    kind: 'unsupported',
    retryable: false,
    description: 'The cluster does not implement a Kafka API pipewatch asked for.',
  },
  KAFKA_DELIVERY_FAILED: {
    kind: 'unavailable',
    retryable: true,
    description:
      'Kafka did not acknowledge a write (after the client retried) or a transaction failed.',
  },
  MOCK_CLUSTER_UNAVAILABLE: {
    kind: 'unavailable',
    retryable: false,
    description: 'librdkafka (with its mock cluster) cannot be loaded on this machine.',
  },
  STORE_FAILURE: {
    kind: 'internal',
    retryable: false,
    description: 'The SQLite store failed to open, migrate or write.',
  },
  SCHEMA_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'An Avro schema is not valid JSON or breaks the Avro specification.',
  },
  SCHEMA_REGISTRY_UNAVAILABLE: {
    kind: 'unavailable',
    retryable: true,
    description: 'A schema registry did not answer, or answered with an unexpected response.',
  },
  DRIFT_INPUT_UNREADABLE: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A file given to `pipewatch drift` cannot be read.',
  },
  DRIFT_INPUT_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description:
      'A `pipewatch drift` input has a non-numeric line in numeric mode, or no non-null values.',
  },
  INTERNAL: { kind: 'internal', retryable: false, description: 'An unexpected internal error.' },
  REGISTRY_SUBJECT_NOT_FOUND: {
    kind: 'not_found',
    retryable: false,
    description: 'The schema registry has no (live) version under the subject.',
  },
  REGISTRY_VERSION_NOT_FOUND: {
    kind: 'not_found',
    retryable: false,
    description: 'The subject has no (live) schema version with that number.',
  },
  REGISTRY_SCHEMA_NOT_FOUND: {
    kind: 'not_found',
    retryable: false,
    description: 'No schema with that id, or the schema is not registered under the subject.',
  },
  REGISTRY_SUBJECT_SOFT_DELETED: {
    kind: 'not_found',
    retryable: false,
    description: 'The subject was already soft-deleted; only a permanent delete remains.',
  },
  REGISTRY_SUBJECT_NOT_SOFT_DELETED: {
    kind: 'not_found',
    retryable: false,
    description: 'A permanent delete of a subject that was not soft-deleted first.',
  },
  REGISTRY_VERSION_SOFT_DELETED: {
    kind: 'not_found',
    retryable: false,
    description: 'The schema version was already soft-deleted; only a permanent delete remains.',
  },
  REGISTRY_VERSION_NOT_SOFT_DELETED: {
    kind: 'not_found',
    retryable: false,
    description: 'A permanent delete of a schema version that was not soft-deleted first.',
  },
  REGISTRY_SUBJECT_LEVEL_NOT_CONFIGURED: {
    kind: 'not_found',
    retryable: false,
    description: 'The subject has no compatibility level of its own (it follows the global one).',
  },
  REGISTRY_SCHEMA_INCOMPATIBLE: {
    kind: 'conflict',
    retryable: false,
    description: "The schema breaks the subject's compatibility level against earlier versions.",
  },
  REGISTRY_SCHEMA_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'The schema is not a valid Avro schema, or its type is not supported.',
  },
  REGISTRY_VERSION_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A schema version is neither a positive 32-bit integer nor "latest".',
  },
  REGISTRY_LEVEL_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A compatibility level is not one of the seven Confluent levels.',
  },
  REFERENCE_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A drift reference (raw values, histogram or quantile summary) is malformed.',
  },
  SERVICE_UNREACHABLE: {
    kind: 'unavailable',
    retryable: true,
    description: 'The pipewatch service API (used by CLI commands) did not answer.',
  },
  CAPTURE_INCOMPLETE: {
    kind: 'unavailable',
    retryable: true,
    description:
      'Capturing a drift reference from a topic did not finish (timeout or too many records).',
  },
  WINDOW_STATE_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description:
      'Drift window states cannot be merged or restored: corrupt bytes, or another reference or window specs.',
  },
  DRIFT_FEATURE_NOT_WATCHED: {
    kind: 'not_found',
    retryable: false,
    description:
      'No drift reference is registered for this topic and feature, so no drift is computed.',
  },
  BODY_TOO_LARGE: {
    kind: 'too_large',
    retryable: false,
    description: 'An API request body is larger than the byte limit of its route.',
  },
  CAPTURE_BUSY: {
    kind: 'busy',
    retryable: true,
    description:
      'As many reference captures as `references.maxConcurrentCaptures` allows are running; retry later.',
  },
  REFERENCE_UNREADABLE: {
    kind: 'conflict',
    retryable: false,
    description:
      'A stored drift reference no longer passes validation; it is skipped until deleted or replaced.',
  },
  REGISTRY_SUBJECT_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description:
      'A schema registry subject is empty, too long, has control characters or is a path trick.',
  },
  NUMERIC_NO_CONVERGENCE: {
    kind: 'internal',
    retryable: false,
    description:
      'A numeric routine (incomplete gamma series or continued fraction, chi-square quantile) did not converge within its iteration cap, or got an argument outside the range it computes accurately (NaN, infinite, too large).',
  },
  GROUP_NOT_WATCHED: {
    kind: 'not_found',
    retryable: false,
    description:
      'The consumer group is neither configured in a watched pipeline nor discovered on its topics.',
  },
  RULE_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description:
      'An alerting rule (file, API body or default) has a bad field; the message names the rule and field.',
  },
  SILENCE_INVALID: {
    kind: 'invalid_input',
    retryable: false,
    description: 'A silence has no matchers, a bad matcher, or ends before it starts.',
  },
  ALERT_DELIVERY_FAILED: {
    kind: 'unavailable',
    retryable: true,
    description:
      'A notification (email, webhook, Alertmanager) was not accepted; the outbox retries it.',
  },
} as const satisfies Record<string, CatalogueEntry>;

export type ErrorCode = keyof typeof errorCatalogue;

/** An error from the catalogue. `details` carries machine-readable context (key, path, offset). */
export class PipewatchError extends Error {
  readonly code: ErrorCode;
  readonly kind: ErrorKind;
  readonly retryable: boolean;
  readonly details: Readonly<Record<string, unknown>>;

  constructor(
    code: ErrorCode,
    message: string,
    details: Record<string, unknown> = {},
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'PipewatchError';
    this.code = code;
    this.kind = errorCatalogue[code].kind;
    this.retryable = errorCatalogue[code].retryable;
    this.details = Object.freeze({ ...details });
  }
}

export function isPipewatchError(value: unknown): value is PipewatchError {
  return value instanceof PipewatchError;
}
