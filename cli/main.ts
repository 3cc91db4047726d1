import { isPipewatchError } from '../common/index.js';
import type { Command } from './commands/command.js';
import { pipewatchVersion } from './version.js';

/**
 * Commands load on demand so a one-shot command such as `drift` does not pay for the service's
 * Kafka, HTTP and SQLite modules at start-up.
 */
interface CommandEntry {
  readonly name: string;
  readonly summary: string;
  load(): Promise<Command>;
}

const commands: readonly CommandEntry[] = [
  {
    name: 'serve',
    summary: 'run the service (embedded Kafka mock cluster when no brokers are configured)',
    load: async () => (await import('./commands/serve.js')).serveCommand,
  },
  {
    name: 'drift',
    summary: 'compare a reference and a current sample (one value per line) for feature drift',
    load: async () => (await import('./commands/drift.js')).driftCommand,
  },
  {
    name: 'schema',
    summary: 'check an Avro schema against previous versions (CI gate)',
    load: async () => (await import('./commands/schema.js')).schemaCommand,
  },
  {
    name: 'references',
    summary: 'register, capture, list, get and delete drift references through the service API',
    load: async () => (await import('./commands/references.js')).referencesCommand,
  },
  {
    name: 'pipeline',
    summary: 'run the reference pipeline: a transaction producer or the feature consumer',
    load: async () => (await import('./commands/pipeline.js')).pipelineCommand,
  },
  {
    name: 'rules',
    summary: 'check rule files, or export the rules as a Prometheus rule file',
    load: async () => (await import('./commands/rules.js')).rulesCommand,
  },
  {
    name: 'alerts',
    summary: 'list alerts, silence and unsilence them through the service API',
    load: async () => (await import('./commands/alerts.js')).alertsCommand,
  },
];

/** Exit codes: 0 success, 1 failure (or "incompatible"/"drift" verdicts), 2 usage or config. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === 'help' && rest[0] !== undefined) return main([rest[0], '--help']);
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${pipewatchVersion}\n`);
    return 0;
  }
  const entry = commands.find((c) => c.name === name);
  if (!entry) {
    process.stderr.write(`pipewatch: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  try {
    const command = await entry.load();
    // `--help` anywhere (also after a sub-command) prints the command's usage: no side effects.
    if (rest.includes('--help') || rest.includes('-h')) {
      process.stdout.write(`${command.summary}\n\nusage: ${command.usage}\n`);
      return 0;
    }
    return await command.run(rest);
  } catch (error) {
    if (isPipewatchError(error)) {
      process.stderr.write(`pipewatch ${entry.name}: error ${error.code}: ${error.message}\n`);
      return error.kind === 'invalid_input' ? 2 : 1;
    }
    process.stderr.write(`pipewatch ${entry.name}: ${(error as Error).stack ?? String(error)}\n`);
    return 1;
  }
}

function helpText(): string {
  const width = Math.max(...commands.map((c) => c.name.length));
  const lines = commands.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`);
  return `usage: pipewatch <command> [flags]\n\ncommands:\n${lines.join('\n')}\n`;
}

const exitCode = await main(process.argv.slice(2));
process.exitCode = exitCode;
