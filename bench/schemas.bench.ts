// Compatibility checks per second: a 50-field candidate against 20 previous versions under
// FULL_TRANSITIVE (one "check" = the candidate against all 20 versions, both directions, with
// every incompatibility collected). Baseline in the same run: the same 40 reader/writer pairs
// through avsc's createResolver (verdict only, a new options object per call).
// Run: node --import tsx bench/schemas.bench.ts
import { performance } from 'node:perf_hooks';
import avsc from 'avsc';
import { checkCompatibility, parseAvroSchema } from '../schemas/index.js';

const baseFieldCount = 30;
const versionCount = 20;
const measureMs = 4_000;

/** A mix of the types feature pipelines carry: scalars, optionals, enums, arrays, maps, records. */
function fieldAt(i: number, withDefault: boolean): Record<string, unknown> {
  const kinds: Array<[unknown, unknown]> = [
    ['long', 0],
    ['double', 0],
    ['string', ''],
    [['null', 'string'], null],
    [{ type: 'enum', name: `Kind${i}`, symbols: ['A', 'B', 'C'] }, 'A'],
    [{ type: 'array', items: 'float' }, []],
    [{ type: 'map', values: 'long' }, {}],
    [
      {
        type: 'record',
        name: `Nested${i}`,
        fields: [
          { name: 'x', type: 'int' },
          { name: 'y', type: ['null', 'double'], default: null },
        ],
      },
      { x: 0, y: null },
    ],
  ];
  const [type, defaultValue] = kinds[i % kinds.length]!;
  return withDefault ? { name: `f${i}`, type, default: defaultValue } : { name: `f${i}`, type };
}

/** Version v has the 30 base fields plus v fields added, each with a default. */
function schemaWith(addedFieldCount: number): Record<string, unknown> {
  const fields = [];
  for (let i = 0; i < baseFieldCount + addedFieldCount; i++)
    fields.push(fieldAt(i, i >= baseFieldCount));
  return { type: 'record', name: 'FeatureRow', namespace: 'pipewatch.bench', fields };
}

const previousJson = Array.from({ length: versionCount }, (_, v) => schemaWith(v));
const candidateJson = schemaWith(versionCount); // 50 fields

function rate(run: () => void): number {
  for (let i = 0; i < 20; i++) run(); // warm-up
  let count = 0;
  const start = performance.now();
  while (performance.now() - start < measureMs) {
    run();
    count++;
  }
  return count / ((performance.now() - start) / 1000);
}

const candidate = parseAvroSchema(candidateJson);
const previous = previousJson.map((json) => parseAvroSchema(json));
const ours = rate(() => {
  const result = checkCompatibility({ candidate, previous, level: 'FULL_TRANSITIVE' });
  if (!result.compatible) throw new Error('the bench schemas should be compatible');
});

const avscCandidate = avsc.Type.forSchema(candidateJson as avsc.Schema);
const avscPrevious = previousJson.map((json) => avsc.Type.forSchema(json as avsc.Schema));
const baseline = rate(() => {
  for (const old of avscPrevious) {
    avscCandidate.createResolver(old, { ignoreNamespaces: true });
    old.createResolver(avscCandidate, { ignoreNamespaces: true });
  }
});

const line = (name: string, value: number, unit: string) =>
  console.log(JSON.stringify({ name, value: Math.round(value * 100) / 100, unit }));
line('schemas.transitive_checks_per_s', ours, 'checks/s');
line('schemas.avsc_transitive_checks_per_s', baseline, 'checks/s');
line('schemas.transitive_checks_per_s_ratio', ours / baseline, 'ratio');
