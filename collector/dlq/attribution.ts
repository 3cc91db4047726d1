/**
 * Which source record a DLQ record stands for, and why it failed, from the headers the three
 * common DLQ writers set. Pure: headers in, `DlqAttribution` out. The error type is one of a
 * closed set, so `error_type` stays a bounded label whatever class names a writer uses.
 *
 * Conventions, tried in this order (the first that names a source topic or an error wins):
 * - pipewatch (the reference pipeline): `pipewatch.error.type`, `pipewatch.error.message`,
 *   `pipewatch.source.topic|partition|offset`.
 * - Kafka Connect (`errors.deadletterqueue.context.headers.enable=true`):
 *   `__connect.errors.topic|partition|offset|stage`, `__connect.errors.exception.class.name`,
 *   `__connect.errors.exception.message`; all values are UTF-8 text.
 * - Spring Kafka (`DeadLetterPublishingRecoverer`): `kafka_dlt-original-topic`,
 *   `kafka_dlt-original-partition` (4-byte big-endian int), `kafka_dlt-original-offset`
 *   (8-byte big-endian long), `kafka_dlt-exception-fqcn`, `kafka_dlt-exception-cause-fqcn`,
 *   `kafka_dlt-exception-message`.
 */

/** The bounded set of `error_type` label values (see docs/dlq.md for the mapping). */
export const dlqErrorTypes = [
  'SCHEMA_VIOLATION',
  'SEMANTIC_ERROR',
  'COMPUTE_ERROR',
  'DELIVERY_ERROR',
  'OTHER',
  'UNKNOWN',
] as const;
export type DlqErrorType = (typeof dlqErrorTypes)[number];

export type DlqConvention = 'pipewatch' | 'kafka_connect' | 'spring' | 'none';

export interface DlqAttribution {
  readonly convention: DlqConvention;
  /** The topic the failed record was read from; undefined when no header names one. */
  readonly sourceTopic: string | undefined;
  readonly sourcePartition: number | undefined;
  /** int64 offsets as decimal strings. */
  readonly sourceOffset: string | undefined;
  readonly errorType: DlqErrorType;
  /** What the type was derived from (a class name, a stage, pipewatch's type), for display. */
  readonly errorDetail: string | undefined;
  readonly errorMessage: string | undefined;
}

export interface DlqHeaders {
  /** Header values as UTF-8 text (first value of each name). */
  readonly text: Readonly<Record<string, string>>;
  /** The same as bytes, for Spring's binary partition and offset; optional. */
  readonly bytes?: Readonly<Record<string, Buffer>>;
}

const pipewatchTypes = new Set<string>(['SCHEMA_VIOLATION', 'SEMANTIC_ERROR', 'COMPUTE_ERROR']);

/**
 * Exception classes (simple names, matched on the last segment of the fully qualified name) by
 * error type. Deserialisation and conversion failures mean the record does not fit its schema;
 * validation failures mean its values break a rule; a failed write is a delivery error.
 */
const classTypes: readonly [RegExp, DlqErrorType][] = [
  [
    /^(DataException|SerializationException|DeserializationException|MessageConversionException|ConversionException|JsonParseException|JsonMappingException|MismatchedInputException|InvalidFormatException|AvroTypeException|AvroRuntimeException|SchemaParseException|RecordDeserializationException|InvalidProtocolBufferException)$/,
    'SCHEMA_VIOLATION',
  ],
  [
    /^(ValidationException|ConstraintViolationException|MethodArgumentNotValidException|BindException|IllegalArgumentException|NumberFormatException|DateTimeParseException|DateTimeException)$/,
    'SEMANTIC_ERROR',
  ],
  [
    /^(RetriableException|TimeoutException|ConnectException|SQLException|SQLTransientException|IOException|SocketTimeoutException|KafkaProducerException|ProducerFencedException)$/,
    'DELIVERY_ERROR',
  ],
  [
    /^(NullPointerException|ArithmeticException|ClassCastException|IllegalStateException|IndexOutOfBoundsException|ArrayIndexOutOfBoundsException|UnsupportedOperationException|RuntimeException|Exception)$/,
    'COMPUTE_ERROR',
  ],
];

/** Kafka Connect's `__connect.errors.stage` when the class name says nothing we know. */
const connectStageTypes: Readonly<Record<string, DlqErrorType>> = {
  KEY_CONVERTER: 'SCHEMA_VIOLATION',
  VALUE_CONVERTER: 'SCHEMA_VIOLATION',
  HEADER_CONVERTER: 'SCHEMA_VIOLATION',
  TRANSFORMATION: 'COMPUTE_ERROR',
  TASK_PUT: 'DELIVERY_ERROR',
  TASK_POLL: 'DELIVERY_ERROR',
  KAFKA_PRODUCE: 'DELIVERY_ERROR',
  KAFKA_CONSUME: 'DELIVERY_ERROR',
};

/** The error type of a Java exception class name; undefined when it is not in the table. */
export function errorTypeOfClass(className: string): DlqErrorType | undefined {
  const simple = className.slice(className.lastIndexOf('.') + 1).replace(/^.*\$/, '');
  for (const [pattern, type] of classTypes) if (pattern.test(simple)) return type;
  return undefined;
}

function decimal(value: string | undefined): string | undefined {
  return value !== undefined && /^-?\d{1,19}$/.test(value.trim()) ? value.trim() : undefined;
}

function partitionOf(value: string | undefined): number | undefined {
  const d = decimal(value);
  if (d === undefined) return undefined;
  const n = Number(d);
  return Number.isSafeInteger(n) && n >= 0 && n <= 0x7fff_ffff ? n : undefined;
}

const nonEmpty = (v: string | undefined) => (v !== undefined && v.length > 0 ? v : undefined);

function fromPipewatch(h: Readonly<Record<string, string>>): DlqAttribution | undefined {
  const type = nonEmpty(h['pipewatch.error.type']);
  const topic = nonEmpty(h['pipewatch.source.topic']);
  if (type === undefined && topic === undefined) return undefined;
  return {
    convention: 'pipewatch',
    sourceTopic: topic,
    sourcePartition: partitionOf(h['pipewatch.source.partition']),
    sourceOffset: decimal(h['pipewatch.source.offset']),
    errorType:
      type === undefined ? 'UNKNOWN' : pipewatchTypes.has(type) ? (type as DlqErrorType) : 'OTHER',
    errorDetail: type,
    errorMessage: nonEmpty(h['pipewatch.error.message']),
  };
}

function fromConnect(h: Readonly<Record<string, string>>): DlqAttribution | undefined {
  const topic = nonEmpty(h['__connect.errors.topic']);
  const className = nonEmpty(h['__connect.errors.exception.class.name']);
  const stage = nonEmpty(h['__connect.errors.stage']);
  if (topic === undefined && className === undefined && stage === undefined) return undefined;
  const byClass = className === undefined ? undefined : errorTypeOfClass(className);
  const byStage = stage === undefined ? undefined : connectStageTypes[stage];
  return {
    convention: 'kafka_connect',
    sourceTopic: topic,
    sourcePartition: partitionOf(h['__connect.errors.partition']),
    sourceOffset: decimal(h['__connect.errors.offset']),
    // The class is the more specific witness; the stage decides when the class is unmapped.
    errorType:
      byClass ?? byStage ?? (className === undefined && stage === undefined ? 'UNKNOWN' : 'OTHER'),
    errorDetail: byClass !== undefined || byStage === undefined ? (className ?? stage) : stage,
    errorMessage: nonEmpty(h['__connect.errors.exception.message']),
  };
}

/** Spring writes partition and offset as big-endian binary; text is accepted too. */
function springNumber(bytes: Buffer | undefined, text: string | undefined, width: 4 | 8) {
  if (bytes?.length === width) {
    return width === 4 ? String(bytes.readInt32BE(0)) : bytes.readBigInt64BE(0).toString();
  }
  return decimal(text);
}

function fromSpring(headers: DlqHeaders): DlqAttribution | undefined {
  const h = headers.text;
  const b = headers.bytes ?? {};
  const topic = nonEmpty(h['kafka_dlt-original-topic']);
  const fqcn = nonEmpty(h['kafka_dlt-exception-fqcn']);
  const cause = nonEmpty(h['kafka_dlt-exception-cause-fqcn']);
  if (topic === undefined && fqcn === undefined && cause === undefined) return undefined;
  // Spring wraps listener failures (ListenerExecutionFailedException): the cause says more.
  const byCause = cause === undefined ? undefined : errorTypeOfClass(cause);
  const byClass = fqcn === undefined ? undefined : errorTypeOfClass(fqcn);
  const partition = springNumber(
    b['kafka_dlt-original-partition'],
    h['kafka_dlt-original-partition'],
    4,
  );
  return {
    convention: 'spring',
    sourceTopic: topic,
    sourcePartition: partitionOf(partition),
    sourceOffset: springNumber(b['kafka_dlt-original-offset'], h['kafka_dlt-original-offset'], 8),
    errorType:
      byCause ?? byClass ?? (fqcn === undefined && cause === undefined ? 'UNKNOWN' : 'OTHER'),
    errorDetail: byCause !== undefined ? cause : (fqcn ?? cause),
    errorMessage: nonEmpty(h['kafka_dlt-exception-message']),
  };
}

/** The attribution of one DLQ record from its headers; `convention: 'none'` when none applies. */
export function attributeDlqRecord(headers: DlqHeaders): DlqAttribution {
  return (
    fromPipewatch(headers.text) ??
    fromConnect(headers.text) ??
    fromSpring(headers) ?? {
      convention: 'none',
      sourceTopic: undefined,
      sourcePartition: undefined,
      sourceOffset: undefined,
      errorType: 'UNKNOWN',
      errorDetail: undefined,
      errorMessage: undefined,
    }
  );
}
