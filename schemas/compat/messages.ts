/**
 * Sentences for people. Each incompatibility is told from the reader's side ("the new schema
 * cannot read what version 3 wrote"), naming the field by its dotted path when there is one.
 */
import { describeType, type EnumNode, type FixedNode, type NamedNode } from './model.js';
import type { Found } from './resolve.js';

/** What to call the two schemas of a pair in a sentence, e.g. "the new schema", "version 2". */
export interface Roles {
  readonly reader: string;
  readonly writer: string;
}

export function messageFor(found: Found, roles: Roles): string {
  const where = subject(found.tokens);
  const { reader: r, writer: w } = roles;
  switch (found.kind) {
    case 'TYPE_MISMATCH': {
      const rt = describeType(found.reader);
      const wt = describeType(found.writer);
      return `${where} is ${rt} in ${r} but ${wt} in ${w}; data written as ${wt} cannot be read as ${rt}.`;
    }
    case 'READER_FIELD_MISSING_DEFAULT_VALUE':
      return (
        `Field '${fieldPath(found.tokens)}' in ${r} has no default value and is missing in ${w}, ` +
        `so ${r} cannot fill it in when reading data written with ${w}.`
      );
    case 'NAME_MISMATCH': {
      const rn = found.reader as NamedNode;
      const wn = found.writer as NamedNode;
      return (
        `${where} is the ${rn.type} '${rn.fullName}' in ${r} but '${wn.fullName}' in ${w}; ` +
        `named types must keep their name (namespaces aside) unless the reader lists the writer's name in its aliases.`
      );
    }
    case 'FIXED_SIZE_MISMATCH': {
      const rf = found.reader as FixedNode;
      const wf = found.writer as FixedNode;
      return (
        `${where} is the fixed type '${rf.fullName}' of ${rf.sizeBytes} ${plural(rf.sizeBytes, 'byte')} in ${r} ` +
        `but ${wf.sizeBytes} ${plural(wf.sizeBytes, 'byte')} in ${w}; fixed sizes must be equal.`
      );
    }
    case 'MISSING_ENUM_SYMBOLS': {
      const re = found.reader as EnumNode;
      const we = found.writer as EnumNode;
      const missing = we.symbols.filter((s) => !re.symbols.includes(s));
      return (
        `${where} is the enum '${re.fullName}', which in ${r} lacks the ${plural(missing.length, 'symbol')} ` +
        `${missing.join(', ')} that ${w} may write, and has no enum default to fall back on.`
      );
    }
    case 'MISSING_UNION_BRANCH':
      return `${where} is a union in ${r} with no branch that can read the ${describeType(found.writer)} values written with ${w}.`;
  }
}

/**
 * "Field 'customer.zip'", with what inside the field's type is meant when the location goes
 * deeper: "Field 'scores' (array items)", "Field 'note' (writer union branch 2)".
 */
function subject(tokens: readonly string[]): string {
  const lastField = tokens.lastIndexOf('fields');
  const field = fieldPath(tokens);
  const rest = lastField >= 0 && field !== '' ? tokens.slice(lastField + 3) : tokens;
  const parts = rest.flatMap((token) => {
    if (token === 'items') return ['array items'];
    if (token === 'values') return ['map values'];
    if (/^\d+$/.test(token)) return [`writer union branch ${token}`];
    return [];
  });
  const head = field === '' ? 'The schema' : `Field '${field}'`;
  return parts.length === 0 ? head : `${head} (${parts.join(', ')})`;
}

/** The dotted names of the fields along a location: `/fields/a/type/fields/b` → `a.b`. */
export function fieldPath(tokens: readonly string[]): string {
  const names: string[] = [];
  for (let i = 0; i < tokens.length; i++) {
    const next = tokens[i + 1];
    if (tokens[i] === 'fields' && next !== undefined) {
      names.push(next);
      i++; // a field may itself be called "fields"
    }
  }
  return names.join('.');
}

function plural(count: number, word: string): string {
  return count === 1 ? word : `${word}s`;
}
