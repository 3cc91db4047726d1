import { isPipewatchError } from '../common/index.js';
import type { Command } from './commands/command.js';
import { pipelineCommand } from './commands/pipeline.js';
import { schemaCommand } from './commands/schema.js';
import { serveCommand } from './commands/serve.js';
import { pipewatchVersion } from './version.js';

const commands: readonly Command[] = [serveCommand, schemaCommand, pipelineCommand];

/** Exit codes: 0 success, 1 failure (or "incompatible"/"drift" verdicts), 2 usage or config. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(helpText());
    return name === undefined ? 2 : 0;
  }
  if (name === '--version') {
    process.stdout.write(`${pipewatchVersion}\n`);
    return 0;
  }
  const command = commands.find((c) => c.name === name);
  if (!command) {
    process.stderr.write(`pipewatch: unknown command '${name}'\n\n${helpText()}`);
    return 2;
  }
  try {
    return await command.run(rest);
  } catch (error) {
    if (isPipewatchError(error)) {
      process.stderr.write(`pipewatch ${command.name}: error ${error.code}: ${error.message}\n`);
      return error.kind === 'invalid_input' ? 2 : 1;
    }
    process.stderr.write(`pipewatch ${command.name}: ${(error as Error).stack ?? String(error)}\n`);
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
