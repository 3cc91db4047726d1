// Many generated evolutions, each verdict compared with avsc's resolver (the independent
// reference). A seeded generator builds a schema, mutates it the ways schemas evolve (type
// changes, fields added or dropped with or without defaults, enum symbols, union branches,
// renames with and without aliases, fixed sizes), and both directions are checked.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isCompatibleWith, parseAvroSchema } from '../../schemas/index.js';
import { avscVerdict } from './avro-test-schemas.js';

type T =
  | { k: 'prim'; name: string }
  | { k: 'array'; items: T }
  | { k: 'map'; values: T }
  | { k: 'union'; branches: T[] }
  | { k: 'enum'; name: string; aliases: string[]; symbols: string[]; withDefault: boolean }
  | { k: 'fixed'; name: string; size: number }
  | { k: 'record'; name: string; aliases: string[]; fields: F[] };
interface F {
  name: string;
  aliases: string[];
  type: T;
  withDefault: boolean;
}

const prims = ['null', 'boolean', 'int', 'long', 'float', 'double', 'string', 'bytes'];

function mulberry32(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

class Gen {
  private readonly rnd: () => number;
  private counter = 0;
  constructor(seed: number) {
    this.rnd = mulberry32(seed);
  }
  int(n: number): number {
    return Math.floor(this.rnd() * n);
  }
  pick<X>(xs: readonly X[]): X {
    return xs[this.int(xs.length)]!;
  }
  name(prefix: string): string {
    return `${prefix}${this.counter++}`;
  }
  type(depth: number, inUnion = false): T {
    const roll = depth <= 0 ? 0 : this.int(8);
    if (roll <= 2) return { k: 'prim', name: this.pick(prims) };
    if (roll === 3) return { k: 'array', items: this.type(depth - 1) };
    if (roll === 4) return { k: 'map', values: this.type(depth - 1) };
    if (roll === 5 && !inUnion) {
      const branches: T[] = [];
      const used = new Set<string>();
      for (let i = 0; i < 1 + this.int(3); i++) {
        const b = this.type(depth - 1, true);
        const key = b.k === 'prim' ? b.name : b.k;
        if (!used.has(key)) branches.push(b);
        used.add(key);
      }
      return { k: 'union', branches };
    }
    if (roll === 6) {
      const symbols = ['A', 'B', 'C', 'D'].slice(0, 1 + this.int(4));
      return {
        k: 'enum',
        name: this.name('E'),
        aliases: [],
        symbols,
        withDefault: this.int(4) === 0,
      };
    }
    if (roll === 7 && this.int(2) === 0)
      return { k: 'fixed', name: this.name('X'), size: 1 + this.int(3) };
    return this.record(depth - 1);
  }
  record(depth: number): T {
    const fields: F[] = [];
    for (let i = 0; i < this.int(4); i++) {
      fields.push({
        name: `f${i}`,
        aliases: [],
        type: this.type(depth),
        withDefault: this.int(2) === 0,
      });
    }
    return { k: 'record', name: this.name('R'), aliases: [], fields };
  }
  /** One evolution step somewhere in the tree (a deep copy is returned). */
  mutate(t: T): T {
    const copy = structuredClone(t);
    const nodes: T[] = [];
    const walk = (n: T): void => {
      nodes.push(n);
      if (n.k === 'array') walk(n.items);
      if (n.k === 'map') walk(n.values);
      if (n.k === 'union') n.branches.forEach(walk);
      if (n.k === 'record') n.fields.forEach((f) => walk(f.type));
    };
    walk(copy);
    const n = this.pick(nodes);
    switch (n.k) {
      case 'prim':
        n.name = this.pick(prims);
        break;
      case 'enum':
        if (this.int(3) === 0) n.withDefault = !n.withDefault;
        else n.symbols = this.int(2) === 0 ? n.symbols.slice(1) : [...n.symbols, `S${this.int(9)}`];
        if (n.symbols.length === 0) n.symbols = ['A'];
        break;
      case 'fixed':
        if (this.int(2) === 0) n.size += 1;
        else n.name = `${n.name}x`;
        break;
      case 'union':
        if (this.int(2) === 0 && n.branches.length > 1)
          n.branches.splice(this.int(n.branches.length), 1);
        else if (!n.branches.some((b) => b.k === 'prim' && b.name === 'null'))
          n.branches.push({ k: 'prim', name: 'null' });
        break;
      case 'record': {
        const choice = this.int(5);
        if (choice === 0)
          n.fields.push({
            name: `g${this.int(9)}`,
            aliases: [],
            type: this.type(1),
            withDefault: this.int(2) === 0,
          });
        else if (choice === 1 && n.fields.length > 0) n.fields.splice(this.int(n.fields.length), 1);
        else if (choice === 2 && n.fields.length > 0) {
          const f = this.pick(n.fields);
          f.aliases = this.int(2) === 0 ? [f.name] : [];
          f.name = `${f.name}r`;
        } else if (choice === 3) {
          n.aliases = this.int(2) === 0 ? [n.name] : [];
          n.name = `${n.name}r`;
        } else if (n.fields.length > 0) {
          const f = this.pick(n.fields);
          f.withDefault = !f.withDefault;
        }
        break;
      }
      default:
        break;
    }
    return dedupeFields(copy);
  }
}

/** Field renames can collide; keep the first field of a name (and of an alias). */
function dedupeFields(t: T): T {
  if (t.k === 'record') {
    const seen = new Set<string>();
    t.fields = t.fields.filter((f) => !seen.has(f.name) && seen.add(f.name));
    t.fields.forEach((f) => (f.aliases = f.aliases.filter((a) => !seen.has(a))));
    t.fields.forEach((f) => dedupeFields(f.type));
  }
  if (t.k === 'array') dedupeFields(t.items);
  if (t.k === 'map') dedupeFields(t.values);
  if (t.k === 'union') t.branches.forEach(dedupeFields);
  return t;
}

/** A value avsc accepts as a default for the type (for unions: the first branch). */
function defaultFor(t: T): unknown {
  switch (t.k) {
    case 'prim':
      return { null: null, boolean: false, string: '', bytes: '' }[t.name] ?? 0;
    case 'array':
      return [];
    case 'map':
      return {};
    case 'union':
      return t.branches[0] ? defaultFor(t.branches[0]) : null;
    case 'enum':
      return t.symbols[0];
    case 'fixed':
      return '\u0000'.repeat(t.size);
    case 'record':
      return Object.fromEntries(t.fields.map((f) => [f.name, defaultFor(f.type)]));
  }
}

function toJson(t: T): unknown {
  switch (t.k) {
    case 'prim':
      return t.name;
    case 'array':
      return { type: 'array', items: toJson(t.items) };
    case 'map':
      return { type: 'map', values: toJson(t.values) };
    case 'union':
      return t.branches.map(toJson);
    case 'enum':
      return {
        type: 'enum',
        name: t.name,
        aliases: t.aliases,
        symbols: t.symbols,
        ...(t.withDefault ? { default: t.symbols[0] } : {}),
      };
    case 'fixed':
      return { type: 'fixed', name: t.name, size: t.size };
    case 'record':
      return {
        type: 'record',
        name: t.name,
        aliases: t.aliases,
        fields: t.fields.map((f) => ({
          name: f.name,
          aliases: f.aliases,
          type: toJson(f.type),
          ...(f.withDefault && !(f.type.k === 'union' && f.type.branches.length === 0)
            ? { default: defaultFor(f.type) }
            : {}),
        })),
      };
  }
}

describe('generated evolutions agree with avsc', () => {
  it('1500 schemas, each mutated up to three times, both directions', () => {
    const gen = new Gen(20261122);
    let compared = 0;
    let incompatible = 0;
    const disagreements: string[] = [];
    for (let i = 0; i < 1500; i++) {
      const old = gen.record(3);
      let next = old;
      for (let m = 0; m <= gen.int(3); m++) next = gen.mutate(next);
      for (const [reader, writer] of [
        [toJson(next), toJson(old)],
        [toJson(old), toJson(next)],
      ]) {
        const reference = avscVerdict(reader, writer);
        if (reference === undefined) continue;
        compared++;
        const ours = isCompatibleWith(
          parseAvroSchema(JSON.stringify(reader)),
          parseAvroSchema(JSON.stringify(writer)),
        );
        if (!ours) incompatible++;
        if (ours !== reference)
          disagreements.push(
            `ours ${ours}, avsc ${reference}: reader ${JSON.stringify(reader)} writer ${JSON.stringify(writer)}`,
          );
      }
    }
    assert.ok(compared > 2000, `only ${compared} pairs compared`);
    // Both verdicts must be well represented for the agreement to mean something.
    assert.ok(
      incompatible > compared / 5 && incompatible < (compared * 4) / 5,
      `${incompatible} of ${compared}`,
    );
    assert.deepEqual(disagreements.slice(0, 3), []);
  });
});
