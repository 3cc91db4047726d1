/** Label matchers with PromQL's four operators; a regex is anchored on both ends as in PromQL. */
export type MatchOp = '=' | '!=' | '=~' | '!~';

export interface Matcher {
  readonly label: string;
  readonly op: MatchOp;
  readonly value: string;
}

export type LabelSet = Readonly<Record<string, string>>;

/** A compiled matcher; a missing label reads as "" (PromQL's rule). */
export type CompiledMatcher = (labels: LabelSet) => boolean;

export function compileMatcher(m: Matcher): CompiledMatcher {
  switch (m.op) {
    case '=':
      return (l) => (l[m.label] ?? '') === m.value;
    case '!=':
      return (l) => (l[m.label] ?? '') !== m.value;
    case '=~': {
      const re = new RegExp(`^(?:${m.value})$`);
      return (l) => re.test(l[m.label] ?? '');
    }
    case '!~': {
      const re = new RegExp(`^(?:${m.value})$`);
      return (l) => !re.test(l[m.label] ?? '');
    }
  }
}

export function matchesAll(matchers: readonly CompiledMatcher[], labels: LabelSet): boolean {
  for (const m of matchers) if (!m(labels)) return false;
  return true;
}

/** `label="value"`, `label=~"re"`, … : the compact form rule files and the CLI accept. */
export function parseMatcher(text: string): Matcher | undefined {
  const m = /^\s*([a-zA-Z_][a-zA-Z0-9_]*)\s*(=~|!~|!=|=)\s*"((?:[^"\\]|\\.)*)"\s*$/.exec(text);
  if (!m) return undefined;
  return { label: m[1]!, op: m[2] as MatchOp, value: m[3]!.replace(/\\(.)/g, '$1') };
}

export function formatMatcher(m: Matcher): string {
  return `${m.label}${m.op}${JSON.stringify(m.value)}`;
}
