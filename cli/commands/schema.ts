/**
 * `pipewatch schema check`: the CI gate. Compares a candidate .avsc with previous schemas given
 * as files (oldest first) or fetched from a registry subject, under a Confluent compatibility
 * level (flag, else the subject's or registry's level, else BACKWARD).
 * Exit codes: 0 compatible, 1 incompatible, 2 no verdict (usage, unreadable or invalid schema,
 * registry unreachable).
 */
import { readFileSync } from 'node:fs';
import { isPipewatchError, PipewatchError } from '../../common/index.js';
import {
  checkCompatibility,
  compatibilityLevels,
  defaultCompatibilityLevel,
  isCompatibilityLevel,
  parseAvroSchema,
  type CompatibilityLevel,
  type ParsedAvroSchema,
} from '../../schemas/index.js';
import { parseFlags } from '../flags.js';
import { progressReporter, type Progress } from '../progress.js';
import type { Command } from './command.js';
import {
  gateRegistryClient,
  subjectCompatibilityLevel,
  subjectHistory,
} from './schema-registry.js';
import {
  escapeData,
  escapeProperty,
  renderReport,
  reportFormats,
  type ReportFormat,
} from './schema-report.js';

const usage =
  'pipewatch schema check --candidate NEW.avsc [--previous OLD.avsc ...] [--level LEVEL] ' +
  '[--registry URL --subject NAME [--new-subject]] [--format text|json|github] [--progress]';

const helpText =
  `usage: ${usage}\n\n` +
  '--new-subject  the subject is new: accept that the registry does not know it yet (without it,\n' +
  '               an unknown subject, e.g. a typo, is an error, exit 2)\n' +
  '--progress     progress lines on stderr while reading the registry (the default on a terminal)\n' +
  'registry credentials: user-info in the URL, or PIPEWATCH_REGISTRY_USERNAME with\n' +
  '               PIPEWATCH_REGISTRY_PASSWORD or PIPEWATCH_REGISTRY_PASSWORD_FILE\n';

/** Errors that are no verdict on the schema: exit 2, so a CI log never reads them as "incompatible". */
const noVerdictCodes: ReadonlySet<string> = new Set([
  'SCHEMA_REGISTRY_UNAVAILABLE',
  'REGISTRY_SUBJECT_NOT_FOUND',
  'CONFIG_INVALID',
]);

const flagSpec = {
  candidate: { type: 'string' },
  previous: { type: 'string', multiple: true },
  level: { type: 'string' },
  registry: { type: 'string' },
  subject: { type: 'string' },
  'new-subject': { type: 'boolean' },
  progress: { type: 'boolean' },
  format: { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const;

interface History {
  readonly schemas: ParsedAvroSchema[];
  readonly labels: string[];
  readonly level: CompatibilityLevel | undefined;
}

export const schemaCommand: Command = {
  name: 'schema',
  summary: 'check an Avro schema against previous versions (CI gate)',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === '--help' || sub === '-h' || sub === 'help') {
      process.stdout.write(`${helpText}\nlevels: ${compatibilityLevels.join(', ')}\n`);
      return 0;
    }
    if (sub !== 'check') {
      throw new PipewatchError('USAGE', `unknown sub-command '${sub ?? ''}'\nusage: ${usage}`);
    }
    const format = formatOf(rest);
    try {
      return await check(rest);
    } catch (error) {
      if (isPipewatchError(error) && format === 'github') {
        process.stdout.write(
          `::error title=${escapeProperty(error.code)}::${escapeData(error.message)}\n`,
        );
      }
      if (isPipewatchError(error) && noVerdictCodes.has(error.code)) {
        process.stderr.write(`pipewatch schema: error ${error.code}: ${error.message}\n`);
        return 2;
      }
      throw error;
    }
  },
};

async function check(argv: readonly string[]): Promise<number> {
  const { values: flags } = parseFlags(argv, flagSpec, usage);
  if (flags.help) {
    process.stdout.write(`${helpText}\nlevels: ${compatibilityLevels.join(', ')}\n`);
    return 0;
  }
  const format = parseFormat(flags.format);
  const levelFlag = parseLevel(flags.level);
  if (flags.candidate === undefined) throw usageError('--candidate NEW.avsc is required');
  const previousFiles = flags.previous ?? [];
  if (previousFiles.length > 0 && flags.registry !== undefined) {
    throw usageError('give either --previous files or --registry with --subject, not both');
  }
  if ((flags.registry === undefined) !== (flags.subject === undefined)) {
    throw usageError('--registry and --subject go together');
  }
  if (flags['new-subject'] && flags.registry === undefined) {
    throw usageError('--new-subject goes with --registry and --subject');
  }
  const candidateText = readSchemaFile(flags.candidate, '--candidate');
  const candidate = parseNamed(candidateText, flags.candidate);
  const history =
    flags.registry !== undefined && flags.subject !== undefined
      ? await fromRegistry(
          flags.registry,
          flags.subject,
          levelFlag,
          flags['new-subject'] === true,
          progressReporter(flags.progress),
        )
      : fromFiles(previousFiles);
  const level = levelFlag ?? history.level ?? defaultCompatibilityLevel;
  const result = checkCompatibility({
    candidate,
    previous: history.schemas,
    level,
    labels: { candidate: flags.candidate, previous: history.labels },
  });
  const report = {
    candidate: flags.candidate,
    candidateText,
    level,
    previous: history.labels,
    result,
  };
  process.stdout.write(renderReport(report, format));
  return result.compatible ? 0 : 1;
}

function fromFiles(files: readonly string[]): History {
  const schemas = files.map((file) => parseNamed(readSchemaFile(file, '--previous'), file));
  return { schemas, labels: [...files], level: undefined };
}

async function fromRegistry(
  url: string,
  subject: string,
  levelFlag: CompatibilityLevel | undefined,
  isNewSubject: boolean,
  progress: Progress,
): Promise<History> {
  const client = gateRegistryClient(url);
  progress(`reading subject ${subject} from ${client.url}…`);
  let versions = await subjectHistory(client, subject, (read, total) =>
    progress(`read version ${read} of ${total}`),
  );
  if (versions === undefined) {
    if (!isNewSubject) throw await unknownSubject(client, subject);
    versions = [];
  }
  const level = levelFlag ?? (await subjectCompatibilityLevel(client, subject));
  const labels = versions.map((v) => `${subject} version ${v.version}`);
  progress(`checking the candidate against ${versions.length} versions at ${level}…`);
  const schemas = versions.map((v, i) => parseNamed(v.schemaText, labels[i]!));
  return { schemas, labels, level };
}

function readSchemaFile(file: string, flag: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw usageError(`cannot read the ${flag} file '${file}': ${reason}`);
  }
}

function parseNamed(text: string, label: string): ParsedAvroSchema {
  try {
    return parseAvroSchema(text);
  } catch (error) {
    if (!isPipewatchError(error)) throw error;
    throw new PipewatchError('SCHEMA_INVALID', `${label}: ${error.message}`, {
      ...error.details,
      source: label,
    });
  }
}

function parseLevel(text: string | undefined): CompatibilityLevel | undefined {
  if (text === undefined) return undefined;
  const upper = text.toUpperCase();
  if (!isCompatibilityLevel(upper)) {
    throw usageError(`--level '${text}' is not one of ${compatibilityLevels.join(', ')}`);
  }
  return upper;
}

function parseFormat(text: string | undefined): ReportFormat {
  if (text === undefined) return 'text';
  if (!(reportFormats as readonly string[]).includes(text)) {
    throw usageError(`--format '${text}' is not one of ${reportFormats.join(', ')}`);
  }
  return text as ReportFormat;
}

/** The --format value, looked up before full parsing so even flag errors become annotations. */
function formatOf(argv: readonly string[]): string | undefined {
  const i = argv.indexOf('--format');
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith('--format='))?.slice('--format='.length);
}

function usageError(message: string): PipewatchError {
  return new PipewatchError('USAGE', `${message}\nusage: ${usage}`);
}

/** A subject the registry does not know: most likely a typo, so name the near misses. */
async function unknownSubject(
  client: ReturnType<typeof gateRegistryClient>,
  subject: string,
): Promise<PipewatchError> {
  const known = await client.subjects();
  const near = known
    .map((name) => ({ name, distance: editDistance(name, subject) }))
    .filter((c) => c.distance <= Math.max(2, Math.floor(subject.length / 4)))
    .sort((a, b) => a.distance - b.distance || a.name.localeCompare(b.name))
    .slice(0, 3)
    .map((c) => c.name);
  const hint = near.length > 0 ? `; did you mean ${near.map((n) => `'${n}'`).join(', ')}?` : '';
  return new PipewatchError(
    'REGISTRY_SUBJECT_NOT_FOUND',
    `subject '${subject}' does not exist in the schema registry at ${client.url}${hint} ` +
      '(if it is new, pass --new-subject to check against no previous schema)',
    { subject, url: client.url, similar: near },
  );
}

/** Levenshtein distance (insert, delete, substitute), for near-miss subject names. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitute = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current.push(Math.min(previous[j]! + 1, current[j - 1]! + 1, substitute));
    }
    previous = current;
  }
  return previous[b.length]!;
}
