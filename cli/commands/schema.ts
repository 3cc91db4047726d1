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
import type { Command } from './command.js';
import { RegistryClient } from './schema-registry.js';
import {
  escapeData,
  escapeProperty,
  renderReport,
  reportFormats,
  type ReportFormat,
} from './schema-report.js';

const usage =
  'pipewatch schema check --candidate NEW.avsc [--previous OLD.avsc ...] [--level LEVEL] ' +
  '[--registry URL --subject NAME] [--format text|json|github]';

const flagSpec = {
  candidate: { type: 'string' },
  previous: { type: 'string', multiple: true },
  level: { type: 'string' },
  registry: { type: 'string' },
  subject: { type: 'string' },
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
      process.stdout.write(`usage: ${usage}\n\nlevels: ${compatibilityLevels.join(', ')}\n`);
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
      if (isPipewatchError(error) && error.code === 'SCHEMA_REGISTRY_UNAVAILABLE') {
        // Not a verdict: exit 2 so a CI log never reads an outage as "incompatible".
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
    process.stdout.write(`usage: ${usage}\n\nlevels: ${compatibilityLevels.join(', ')}\n`);
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
  const candidateText = readSchemaFile(flags.candidate, '--candidate');
  const candidate = parseNamed(candidateText, flags.candidate);
  const history =
    flags.registry !== undefined && flags.subject !== undefined
      ? await fromRegistry(flags.registry, flags.subject, levelFlag)
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
): Promise<History> {
  const client = new RegistryClient(url);
  const versions = await client.versions(subject);
  const level = levelFlag ?? (await client.compatibilityLevel(subject));
  const labels = versions.map((v) => `${subject} version ${v.version}`);
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
