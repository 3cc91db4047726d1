import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { isPipewatchError, PipewatchError } from '../../common/index.js';
import { loadConfig, watchedPipelines } from '../../config/index.js';
import { loadRuleFile, loadRuleFiles } from '../../monitor/index.js';
import { defaultRules, prometheusRuleFileText } from '../../rules/index.js';
import type { Command } from './command.js';

const usage = [
  'pipewatch rules check FILE...',
  '       pipewatch rules export [--config pipewatch.yaml] [--rules FILE]... [--no-defaults] [--output FILE]',
  '  check: validates rule files; exit 0 valid, 1 a rule is invalid (the message names the rule',
  '    and the field), 2 usage.',
  '  export: writes the rules (defaults for the configured pipelines, `rules.files`, --rules)',
  '    as a Prometheus rule file: recording rules for ratios, alerting rules, the idle-source pair.',
].join('\n');

function args(argv: readonly string[]) {
  try {
    return parseArgs({
      args: [...argv],
      options: {
        config: { type: 'string' },
        rules: { type: 'string', multiple: true },
        'no-defaults': { type: 'boolean' },
        output: { type: 'string' },
      },
      strict: true,
      allowPositionals: true,
    });
  } catch (error) {
    throw new PipewatchError('USAGE', `${(error as Error).message}\nusage: ${usage}`);
  }
}

function check(argv: readonly string[]): number {
  const { positionals } = args(argv);
  if (positionals.length === 0)
    throw new PipewatchError('USAGE', `a rule file is required\nusage: ${usage}`);
  let failed = 0;
  for (const file of positionals) {
    try {
      const rules = loadRuleFile(file);
      process.stdout.write(`${file}: ${rules.length} rule${rules.length === 1 ? '' : 's'} OK\n`);
    } catch (error) {
      if (!isPipewatchError(error) || error.code !== 'RULE_INVALID') throw error;
      process.stderr.write(`${error.message}\n`);
      failed++;
    }
  }
  return failed > 0 ? 1 : 0;
}

function exportRules(argv: readonly string[]): number {
  const { values, positionals } = args(argv);
  if (positionals.length > 0)
    throw new PipewatchError('USAGE', `unexpected ${positionals[0]}\nusage: ${usage}`);
  const config = loadConfig(values.config);
  const pipelines = watchedPipelines(config);
  const useDefaults = config.rules.defaults && values['no-defaults'] !== true;
  const rules = [
    ...(useDefaults ? defaultRules(pipelines) : []),
    ...loadRuleFiles([...config.rules.files, ...(values.rules ?? [])]),
  ];
  const text = prometheusRuleFileText(
    rules,
    pipelines.map((p) => p.name),
  );
  if (typeof values.output === 'string') writeFileSync(values.output, text);
  else process.stdout.write(text);
  return 0;
}

export const rulesCommand: Command = {
  name: 'rules',
  summary: 'check rule files, or export the rules as a Prometheus rule file',
  usage,
  async run(argv) {
    const [sub, ...rest] = argv;
    if (sub === 'check') return check(rest);
    if (sub === 'export') return exportRules(rest);
    throw new PipewatchError(
      'USAGE',
      `unknown or missing subcommand '${sub ?? ''}'\nusage: ${usage}`,
    );
  },
};
