/**
 * Reader/writer compatibility of one schema pair, following Apache Avro's
 * `SchemaCompatibility.ReaderWriterCompatibilityChecker` (Avro 1.11/1.12) rule for rule, because
 * that is what Confluent Schema Registry runs: promotions int→long→float→double and
 * string↔bytes, reader fields missing from the writer need a default, reader enums need every
 * writer symbol unless they have an enum default, each writer union branch needs a readable
 * reader branch, named types match on their unqualified names or the reader's aliases, fixed
 * sizes must be equal. All incompatibilities are collected, not only the first.
 *
 * Results are memoised per (reader node, writer node) pair, which also breaks the cycles of
 * recursive records: a pair met again while it is being checked counts as compatible, exactly as
 * Avro's RECURSION_IN_PROGRESS does. Paths are kept relative to each pair and prefixed on the
 * way up, so a memoised result reused elsewhere still reports its own location.
 */
import {
  primitiveTypeNames,
  typeWord,
  type AvroNode,
  type EnumNode,
  type FixedNode,
  type NamedNode,
  type RecordField,
  type RecordNode,
} from './model.js';

export type IncompatibilityKind =
  | 'NAME_MISMATCH'
  | 'FIXED_SIZE_MISMATCH'
  | 'MISSING_ENUM_SYMBOLS'
  | 'READER_FIELD_MISSING_DEFAULT_VALUE'
  | 'TYPE_MISMATCH'
  | 'MISSING_UNION_BRANCH';

/** One incompatibility of a pair; `tokens` is the JSON-pointer-like location below the pair. */
export interface Found {
  readonly kind: IncompatibilityKind;
  readonly tokens: readonly string[];
  /** Apache Avro's own wording, e.g. `reader type: INT not compatible with writer type: LONG`. */
  readonly detail: string;
  readonly reader: AvroNode;
  readonly writer: AvroNode;
}

/** Which reader type reads which other writer types (Avro specification, "Schema Resolution"). */
const promotions: Readonly<Record<string, readonly string[]>> = {
  long: ['int'],
  float: ['int', 'long'],
  double: ['int', 'long', 'float'],
  bytes: ['string'],
  string: ['bytes'],
};

const none: readonly Found[] = [];

export class PairChecker {
  private readonly memo = new Map<AvroNode, Map<AvroNode, readonly Found[] | null>>();

  check(reader: AvroNode, writer: AvroNode): readonly Found[] {
    // Any schema reads its own data, and primitives cannot recurse: no memo needed for either.
    if (reader === writer) return none;
    if (isPrimitive(reader) && isPrimitive(writer)) return this.calculate(reader, writer);
    let byWriter = this.memo.get(reader);
    if (!byWriter) {
      byWriter = new Map();
      this.memo.set(reader, byWriter);
    }
    const known = byWriter.get(writer);
    if (known !== undefined) return known ?? none;
    byWriter.set(writer, null);
    const result = this.calculate(reader, writer);
    byWriter.set(writer, result);
    return result;
  }

  private calculate(reader: AvroNode, writer: AvroNode): readonly Found[] {
    if (reader.type === writer.type) return this.sameType(reader, writer);
    if (writer.type === 'union') {
      // A reader that is not a union must read every branch the writer may have written.
      return writer.branches.flatMap((branch, i) => at(String(i), this.check(reader, branch)));
    }
    if (reader.type === 'union') {
      if (reader.branches.some((branch) => this.check(branch, writer).length === 0)) return none;
      return [missingBranch(reader, writer, [])];
    }
    if (promotions[reader.type]?.includes(writer.type)) return none;
    return [typeMismatch(reader, writer)];
  }

  private sameType(reader: AvroNode, writer: AvroNode): readonly Found[] {
    switch (reader.type) {
      case 'array':
        return at('items', this.check(reader.items, (writer as typeof reader).items));
      case 'map':
        return at('values', this.check(reader.values, (writer as typeof reader).values));
      case 'fixed':
        return [
          ...checkNames(reader, writer as FixedNode),
          ...checkSize(reader, writer as FixedNode),
        ];
      case 'enum':
        return [
          ...checkNames(reader, writer as EnumNode),
          ...checkSymbols(reader, writer as EnumNode),
        ];
      case 'record':
        return [
          ...checkNames(reader, writer as RecordNode),
          ...this.checkFields(reader, writer as RecordNode),
        ];
      case 'union': {
        const branches = (writer as typeof reader).branches;
        return branches.flatMap((branch, i) =>
          this.check(reader, branch).length === 0
            ? none
            : [missingBranch(reader, branch, [String(i)])],
        );
      }
      default:
        return none;
    }
  }

  private checkFields(reader: RecordNode, writer: RecordNode): readonly Found[] {
    const found: Found[] = [];
    for (const field of reader.fields) {
      const writerField = lookupWriterField(writer, field);
      if (writerField) {
        found.push(
          ...at('fields', at(field.name, at('type', this.check(field.type, writerField.type)))),
        );
      } else if (!field.hasDefault) {
        found.push({
          kind: 'READER_FIELD_MISSING_DEFAULT_VALUE',
          tokens: ['fields', field.name],
          detail: field.name,
          reader,
          writer,
        });
      }
    }
    return found;
  }
}

/**
 * The writer field a reader field reads: the same name, else one of the reader field's aliases.
 * Avro Java throws when both match different writer fields; the direct name wins here instead.
 */
function lookupWriterField(writer: RecordNode, field: RecordField): RecordField | undefined {
  const byName = fieldsByName(writer);
  const direct = byName.get(field.name);
  if (direct) return direct;
  for (const alias of field.aliases) {
    const aliased = byName.get(alias);
    if (aliased) return aliased;
  }
  return undefined;
}

const fieldIndex = new WeakMap<RecordNode, ReadonlyMap<string, RecordField>>();

function fieldsByName(record: RecordNode): ReadonlyMap<string, RecordField> {
  let index = fieldIndex.get(record);
  if (!index) {
    index = new Map(record.fields.map((f) => [f.name, f]));
    fieldIndex.set(record, index);
  }
  return index;
}

function isPrimitive(node: AvroNode): boolean {
  return primitiveTypeNames.has(node.type);
}

/** Names match on their unqualified part (namespaces ignored) or through the reader's aliases. */
export function namesMatch(reader: NamedNode, writer: NamedNode): boolean {
  return reader.name === writer.name || reader.aliases.includes(writer.fullName);
}

function checkNames(reader: NamedNode, writer: NamedNode): readonly Found[] {
  if (namesMatch(reader, writer)) return none;
  return [
    {
      kind: 'NAME_MISMATCH',
      tokens: ['name'],
      detail: `expected: ${writer.fullName}`,
      reader,
      writer,
    },
  ];
}

function checkSize(reader: FixedNode, writer: FixedNode): readonly Found[] {
  if (reader.sizeBytes === writer.sizeBytes) return none;
  const detail = `expected: ${writer.sizeBytes}, found: ${reader.sizeBytes}`;
  return [{ kind: 'FIXED_SIZE_MISMATCH', tokens: ['size'], detail, reader, writer }];
}

function checkSymbols(reader: EnumNode, writer: EnumNode): readonly Found[] {
  const known = new Set(reader.symbols);
  const missing = writer.symbols.filter((s) => !known.has(s)).sort();
  if (missing.length === 0 || reader.defaultSymbol !== undefined) return none;
  return [
    {
      kind: 'MISSING_ENUM_SYMBOLS',
      tokens: ['symbols'],
      detail: `[${missing.join(', ')}]`,
      reader,
      writer,
    },
  ];
}

function typeMismatch(reader: AvroNode, writer: AvroNode): Found {
  const detail = `reader type: ${typeWord(reader)} not compatible with writer type: ${typeWord(writer)}`;
  return { kind: 'TYPE_MISMATCH', tokens: [], detail, reader, writer };
}

function missingBranch(reader: AvroNode, writer: AvroNode, tokens: string[]): Found {
  const detail = `reader union lacking writer type: ${typeWord(writer)}`;
  return { kind: 'MISSING_UNION_BRANCH', tokens, detail, reader, writer };
}

function at(token: string, found: readonly Found[]): readonly Found[] {
  if (found.length === 0) return none;
  return found.map((f) => ({ ...f, tokens: [token, ...f.tokens] }));
}

export function pathOf(tokens: readonly string[]): string {
  return tokens.length === 0 ? '/' : `/${tokens.join('/')}`;
}
