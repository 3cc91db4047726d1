/**
 * Confluent Schema Registry's compatibility levels on top of the pair check:
 * BACKWARD: the candidate (reader) reads data of the latest previous schema (writer);
 * FORWARD: the latest previous schema (reader) reads data of the candidate (writer);
 * FULL: both; the _TRANSITIVE forms check every previous version, not only the latest;
 * NONE: always compatible.
 * Unlike Confluent, which stops at the first failing version, every incompatibility against
 * every checked version is reported. Order: newest previous version first (Confluent's checking
 * order), backward before forward within a version, then Avro's order within a pair.
 */
import { messageFor, type Roles } from './messages.js';
import type { AvroSchemaInput } from './model.js';
import { toParsedSchema } from './parse.js';
import { PairChecker, pathOf, type Found, type IncompatibilityKind } from './resolve.js';

export const compatibilityLevels = [
  'BACKWARD',
  'BACKWARD_TRANSITIVE',
  'FORWARD',
  'FORWARD_TRANSITIVE',
  'FULL',
  'FULL_TRANSITIVE',
  'NONE',
] as const;

export type CompatibilityLevel = (typeof compatibilityLevels)[number];

/** Confluent's default level. */
export const defaultCompatibilityLevel: CompatibilityLevel = 'BACKWARD';

export function isCompatibilityLevel(value: unknown): value is CompatibilityLevel {
  return typeof value === 'string' && (compatibilityLevels as readonly string[]).includes(value);
}

export type Direction = 'backward' | 'forward';

export interface Incompatibility {
  readonly kind: IncompatibilityKind;
  /** Location in the reader schema, fields by name: `/fields/amount/type`, `/` for the root. */
  readonly path: string;
  /** A sentence for a person. */
  readonly message: string;
  /** Apache Avro's terse wording, e.g. `reader type: INT not compatible with writer type: LONG`. */
  readonly detail: string;
  /** backward: the candidate reads the previous schema's data; forward: the other way round. */
  readonly direction: Direction;
  /** Index into `previous` (oldest first) of the version this concerns. */
  readonly previousVersionIndex: number;
}

export interface CompatibilityResult {
  readonly compatible: boolean;
  readonly incompatibilities: readonly Incompatibility[];
}

export interface CheckCompatibilityInput {
  /** Parsed schemas are used as they are; text or JSON values are parsed (SCHEMA_INVALID). */
  readonly candidate: AvroSchemaInput;
  /** Previous versions, oldest first; the last one is "the latest". */
  readonly previous: readonly AvroSchemaInput[];
  readonly level: CompatibilityLevel;
  /**
   * Names for the schemas in messages. Default: "the new schema" and "version N" (1-based
   * position in `previous`). The CLI passes file names or registry version numbers.
   */
  readonly labels?: { readonly candidate?: string; readonly previous?: readonly string[] };
}

export function checkCompatibility(input: CheckCompatibilityInput): CompatibilityResult {
  const { level } = input;
  const candidate = toParsedSchema(input.candidate);
  const previous = input.previous.map(toParsedSchema);
  if (level === 'NONE' || previous.length === 0) return { compatible: true, incompatibilities: [] };
  const transitive = level.endsWith('_TRANSITIVE');
  const backward = level.startsWith('BACKWARD') || level.startsWith('FULL');
  const forward = level.startsWith('FORWARD') || level.startsWith('FULL');
  const candidateLabel = input.labels?.candidate ?? 'the new schema';
  const checker = new PairChecker();
  const incompatibilities: Incompatibility[] = [];
  const first = transitive ? 0 : previous.length - 1;
  for (let index = previous.length - 1; index >= first; index--) {
    const old = previous[index]!;
    const oldLabel = input.labels?.previous?.[index] ?? `version ${index + 1}`;
    if (backward) {
      const roles = { reader: candidateLabel, writer: oldLabel };
      const found = checker.check(candidate.root, old.root);
      incompatibilities.push(...found.map((f) => toIncompatibility(f, roles, 'backward', index)));
    }
    if (forward) {
      const roles = { reader: oldLabel, writer: candidateLabel };
      const found = checker.check(old.root, candidate.root);
      incompatibilities.push(...found.map((f) => toIncompatibility(f, roles, 'forward', index)));
    }
  }
  return { compatible: incompatibilities.length === 0, incompatibilities };
}

export interface PairIncompatibility {
  readonly kind: IncompatibilityKind;
  readonly path: string;
  readonly message: string;
  readonly detail: string;
}

/** Every reason data written with `writer` cannot be read with `reader` (empty: compatible). */
export function readerWriterIncompatibilities(
  reader: AvroSchemaInput,
  writer: AvroSchemaInput,
): readonly PairIncompatibility[] {
  const roles = { reader: 'the reader schema', writer: 'the writer schema' };
  return new PairChecker()
    .check(toParsedSchema(reader).root, toParsedSchema(writer).root)
    .map((f) => ({
      kind: f.kind,
      path: pathOf(f.tokens),
      message: messageFor(f, roles),
      detail: f.detail,
    }));
}

/** Whether data written with `writer` can always be read with `reader`. */
export function isCompatibleWith(reader: AvroSchemaInput, writer: AvroSchemaInput): boolean {
  return (
    new PairChecker().check(toParsedSchema(reader).root, toParsedSchema(writer).root).length === 0
  );
}

function toIncompatibility(
  found: Found,
  roles: Roles,
  direction: Direction,
  previousVersionIndex: number,
): Incompatibility {
  return {
    kind: found.kind,
    path: pathOf(found.tokens),
    message: messageFor(found, roles),
    detail: found.detail,
    direction,
    previousVersionIndex,
  };
}
