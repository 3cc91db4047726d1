import { readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { PipewatchError } from '../common/index.js';
import { parseRuleFile, type Rule } from '../rules/index.js';

/** Reads and validates rule files (`rules.files`); an error names the file, rule and field. */
export function loadRuleFile(path: string): Rule[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new PipewatchError(
      'RULE_INVALID',
      `${path}: cannot read the rule file: ${(error as Error).message}`,
      {
        rule: null,
        field: '(file)',
        where: path,
      },
    );
  }
  let content: unknown;
  try {
    content = parseYaml(text);
  } catch (error) {
    throw new PipewatchError(
      'RULE_INVALID',
      `${path}: not valid YAML: ${(error as Error).message}`,
      {
        rule: null,
        field: '(file)',
        where: path,
      },
    );
  }
  return parseRuleFile(content, path);
}

export function loadRuleFiles(paths: readonly string[]): Rule[] {
  const seen = new Map<string, string>();
  const rules: Rule[] = [];
  for (const path of paths) {
    for (const r of loadRuleFile(path)) {
      const other = seen.get(r.alert);
      if (other !== undefined) {
        throw new PipewatchError(
          'RULE_INVALID',
          `${path}: rule ${r.alert}: field alert: already defined in ${other}`,
          { rule: r.alert, field: 'alert', where: path },
        );
      }
      seen.set(r.alert, path);
      rules.push(r);
    }
  }
  return rules;
}
