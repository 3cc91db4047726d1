import { readFile } from 'node:fs/promises';
import { PipewatchError } from '../../common/index.js';
import { callApi, defaultApiUrl } from '../api-client.js';
import { parseFlags } from '../flags.js';
import { progressReporter } from '../progress.js';
import type { Command } from './command.js';

const usage = [
  'pipewatch references register --topic T --feature F (--values FILE | --histogram FILE | --quantiles FILE)',
  '                              [--kind numeric|categorical] [--bins N] [--api URL] [--json]',
  '       pipewatch references capture --topic T --feature F --from TIME --to TIME',
  '                              [--kind numeric|categorical] [--bins N] [--api URL] [--json]',
  '                              [--progress]',
  '       pipewatch references list [--topic T] [--api URL] [--json]',
  '       pipewatch references get --topic T --feature F [--version N] [--api URL]',
  '       pipewatch references delete --topic T --feature F [--version N] [--api URL]',
  '  --values: one value per line; an empty line or "null" is a missing value.',
  '  --histogram / --quantiles: JSON {"edges","counts"} / {"probabilities","values","n"}.',
  '  capture: the service reads the topic (JSON values) for records with from <= time < to;',
  '    TIME is epoch milliseconds or ISO-8601; progress goes to stderr on a terminal or with',
  '    --progress.',
  `  --api: the running service (default ${defaultApiUrl}).`,
].join('\n');

interface Summary {
  topic: string;
  feature: string;
  version: number;
  kind: string;
  source: string;
  n: number;
  nullCount: number;
  bins: number;
  createdAtMs: number;
}

function required(value: string | undefined, flag: string): string {
  if (value === undefined || value === '') {
    throw new PipewatchError('USAGE', `--${flag} is required\nusage: ${usage}`);
  }
  return value;
}

function positiveInteger(value: string | undefined, flag: string): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) {
    throw new PipewatchError('USAGE', `--${flag} must be a positive integer, got '${value}'`);
  }
  return n;
}

async function readText(file: string, flag: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (error) {
    throw new PipewatchError('USAGE', `--${flag} ${file}: ${(error as Error).message}`);
  }
}

/** One value per line; "" and "null" are missing; numeric lines must parse as finite numbers. */
export function parseValueLines(
  text: string,
  kind: 'numeric' | 'categorical',
  file: string,
): (number | string | null)[] {
  const lines = text.split(/\r?\n/);
  if (lines[lines.length - 1] === '') lines.pop(); // the final newline ends a line
  return lines.map((line, i) => {
    const trimmed = line.trim();
    if (trimmed === '' || trimmed === 'null') return null;
    if (kind === 'categorical') return trimmed;
    const x = Number(trimmed);
    if (!Number.isFinite(x)) {
      throw new PipewatchError(
        'USAGE',
        `${file}:${i + 1}: '${trimmed}' is not a finite number (categorical values need --kind categorical)`,
        {
          file,
          line: i + 1,
        },
      );
    }
    return x;
  });
}

async function parseJsonFile(file: string, flag: string): Promise<unknown> {
  const text = await readText(file, flag);
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new PipewatchError('USAGE', `--${flag} ${file}: not JSON: ${(error as Error).message}`);
  }
}

const common = { api: { type: 'string' }, json: { type: 'boolean' } } as const;
const target = { topic: { type: 'string' }, feature: { type: 'string' } } as const;

function referencePath(topic: string, feature: string, version: number | undefined): string {
  const query = version === undefined ? '' : `?version=${version}`;
  return `api/v1/references/${encodeURIComponent(topic)}/${encodeURIComponent(feature)}${query}`;
}

function describe(r: Summary): string {
  const size = r.kind === 'numeric' ? `${r.bins} bins` : `${r.bins} categories`;
  return `${r.topic} ${r.feature} version ${r.version}: ${r.kind} from ${r.source}, n=${r.n}, nulls=${r.nullCount}, ${size}, created ${new Date(r.createdAtMs).toISOString()}`;
}

async function register(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(
    argv,
    {
      ...common,
      ...target,
      values: { type: 'string' },
      histogram: { type: 'string' },
      quantiles: { type: 'string' },
      kind: { type: 'string' },
      bins: { type: 'string' },
    },
    usage,
  );
  const topic = required(flags.topic, 'topic');
  const feature = required(flags.feature, 'feature');
  const kind = flags.kind ?? 'numeric';
  if (kind !== 'numeric' && kind !== 'categorical') {
    throw new PipewatchError('USAGE', `--kind must be numeric or categorical, got '${kind}'`);
  }
  const sources = (['values', 'histogram', 'quantiles'] as const).filter((k) => flags[k]);
  if (sources.length !== 1) {
    throw new PipewatchError(
      'USAGE',
      `give exactly one of --values, --histogram, --quantiles\nusage: ${usage}`,
    );
  }
  const source = sources[0]!;
  const file = flags[source]!;
  const body: Record<string, unknown> = { topic, feature, kind };
  const bins = positiveInteger(flags.bins, 'bins');
  if (bins !== undefined) body.bins = bins;
  body[source] =
    source === 'values'
      ? parseValueLines(await readText(file, source), kind, file)
      : await parseJsonFile(file, source);
  const stored = await callApi<Summary>(
    flags.api ?? defaultApiUrl,
    'POST',
    'api/v1/references',
    body,
  );
  process.stdout.write(
    flags.json ? `${JSON.stringify(stored)}\n` : `registered ${describe(stored)}\n`,
  );
  return 0;
}

function timeFlag(value: string | undefined, flag: string): number | string {
  const text = required(value, flag);
  if (/^\d+$/.test(text)) return Number(text);
  if (Number.isNaN(Date.parse(text))) {
    throw new PipewatchError('USAGE', `--${flag} must be epoch ms or ISO-8601, got '${text}'`);
  }
  return text;
}

async function capture(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(
    argv,
    {
      ...common,
      ...target,
      from: { type: 'string' },
      to: { type: 'string' },
      kind: { type: 'string' },
      bins: { type: 'string' },
      progress: { type: 'boolean' },
    },
    usage,
  );
  const progress = progressReporter(flags.progress);
  const body: Record<string, unknown> = {
    topic: required(flags.topic, 'topic'),
    feature: required(flags.feature, 'feature'),
    from: timeFlag(flags.from, 'from'),
    to: timeFlag(flags.to, 'to'),
  };
  if (flags.kind !== undefined) body.kind = flags.kind;
  const bins = positiveInteger(flags.bins, 'bins');
  if (bins !== undefined) body.bins = bins;
  const what = `${String(body.topic)}/${String(body.feature)}`;
  progress(`capturing ${what}: reading the topic from ${String(body.from)} to ${String(body.to)}…`);
  const stored = await callApi<Summary>(
    flags.api ?? defaultApiUrl,
    'POST',
    'api/v1/references/capture',
    body,
  );
  progress(`capturing ${what}: done, ${stored.n} values, version ${stored.version}`);
  process.stdout.write(
    flags.json ? `${JSON.stringify(stored)}\n` : `registered ${describe(stored)}\n`,
  );
  return 0;
}

async function list(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(argv, { ...common, topic: { type: 'string' } }, usage);
  const topic = flags.topic === undefined ? '' : `&topic=${encodeURIComponent(flags.topic)}`;
  // The list is paged (docs/api.md): follow nextOffset until the last page.
  const references: Summary[] = [];
  for (let offset: number | null = 0; offset !== null;) {
    const page: { references: Summary[]; nextOffset?: number | null } = await callApi(
      flags.api ?? defaultApiUrl,
      'GET',
      `api/v1/references?limit=1000&offset=${offset}${topic}`,
    );
    references.push(...page.references);
    offset = page.nextOffset ?? null;
  }
  if (flags.json) process.stdout.write(`${JSON.stringify(references)}\n`);
  else if (references.length === 0) process.stdout.write('no references\n');
  else process.stdout.write(references.map((r) => `${describe(r)}\n`).join(''));
  return 0;
}

async function get(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(
    argv,
    { ...common, ...target, version: { type: 'string' } },
    usage,
  );
  const path = referencePath(
    required(flags.topic, 'topic'),
    required(flags.feature, 'feature'),
    positiveInteger(flags.version, 'version'),
  );
  const stored = await callApi<unknown>(flags.api ?? defaultApiUrl, 'GET', path);
  process.stdout.write(`${JSON.stringify(stored, null, flags.json ? undefined : 2)}\n`);
  return 0;
}

async function remove(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(
    argv,
    { ...common, ...target, version: { type: 'string' } },
    usage,
  );
  const topic = required(flags.topic, 'topic');
  const feature = required(flags.feature, 'feature');
  const version = positiveInteger(flags.version, 'version');
  const { deleted } = await callApi<{ deleted: number }>(
    flags.api ?? defaultApiUrl,
    'DELETE',
    referencePath(topic, feature, version),
  );
  process.stdout.write(
    flags.json
      ? `${JSON.stringify({ deleted })}\n`
      : `deleted ${deleted} version(s) of ${topic} ${feature}\n`,
  );
  return 0;
}

const subcommands: Record<string, (argv: readonly string[]) => Promise<number>> = {
  register,
  capture,
  list,
  get,
  delete: remove,
};

export const referencesCommand: Command = {
  name: 'references',
  summary: 'register, list, get and delete drift references through the service API',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    const handler = sub === undefined ? undefined : subcommands[sub];
    if (!handler) {
      throw new PipewatchError(
        'USAGE',
        `${sub === undefined ? 'missing sub-command' : `unknown sub-command '${sub}'`}\nusage: ${usage}`,
      );
    }
    return handler(rest);
  },
};
