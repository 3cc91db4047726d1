/**
 * Avro naming rules (specification, "Names"): a name containing a dot is already full; otherwise
 * the type's `namespace` attribute, or else the enclosing namespace, qualifies it. References
 * are looked up in the enclosing namespace first and then as written, like Apache Avro's parser.
 */
import { PipewatchError } from '../../common/index.js';
import { primitiveTypeNames, type NamedNode } from './model.js';

const namePart = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface QualifiedName {
  readonly name: string;
  readonly namespace: string;
  readonly fullName: string;
}

export function invalid(message: string, path: string): PipewatchError {
  return new PipewatchError('SCHEMA_INVALID', `${message} (at ${path || '/'})`, {
    path: path || '/',
  });
}

/** Checks that `name` is a valid Avro name or dotted full name. */
export function checkName(name: string, what: string, path: string): void {
  if (!name.split('.').every((part) => namePart.test(part))) {
    throw invalid(
      `${what} '${name}' is not a valid Avro name: use letters, digits and '_', not starting with a digit`,
      path,
    );
  }
}

export function qualify(
  name: string,
  explicitNamespace: string | undefined,
  enclosing: string,
): QualifiedName {
  const dot = name.lastIndexOf('.');
  if (dot >= 0) {
    return { name: name.slice(dot + 1), namespace: name.slice(0, dot), fullName: name };
  }
  const namespace = explicitNamespace ?? enclosing;
  return { name, namespace, fullName: namespace === '' ? name : `${namespace}.${name}` };
}

/** The named types defined so far while parsing one schema. */
export class NameTable {
  private readonly byFullName = new Map<string, NamedNode>();

  define(node: NamedNode, path: string): void {
    if (primitiveTypeNames.has(node.name)) {
      throw invalid(`a named type may not be called '${node.name}', a primitive type's name`, path);
    }
    if (this.byFullName.has(node.fullName)) {
      throw invalid(`the type '${node.fullName}' is defined twice`, path);
    }
    this.byFullName.set(node.fullName, node);
  }

  lookup(reference: string, enclosing: string): NamedNode | undefined {
    if (!reference.includes('.') && enclosing !== '') {
      const inNamespace = this.byFullName.get(`${enclosing}.${reference}`);
      if (inNamespace) return inNamespace;
    }
    return this.byFullName.get(reference);
  }
}
