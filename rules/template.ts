import type { LabelSet } from './matchers.js';

/**
 * Annotation templates in the subset of Prometheus' syntax that rules need: `{{ $value }}`,
 * `{{ $threshold }}`, `{{ $labels.name }}`, with optional pipes `humanize`,
 * `humanizePercentage`, `humanizeDuration` and `printf "%.2f"`. Unknown expressions are an
 * error at compile time (see `checkTemplate`), never a silent empty string at 3 a.m.
 */
export interface TemplateData {
  readonly value: number;
  readonly threshold: number | undefined;
  readonly labels: LabelSet;
}

const exprRe = /\{\{\s*([^}]*?)\s*\}\}/g;

export function renderTemplate(template: string, data: TemplateData): string {
  return template.replace(exprRe, (_all, expr: string) => evaluate(expr, data));
}

/** The first problem of a template, or undefined when every expression is understood. */
export function checkTemplate(template: string): string | undefined {
  const probe: TemplateData = { value: 1, threshold: 1, labels: {} };
  for (const m of template.matchAll(exprRe)) {
    try {
      evaluate(m[1]!, probe);
    } catch (error) {
      return (error as Error).message;
    }
  }
  return undefined;
}

function evaluate(expr: string, data: TemplateData): string {
  const [head, ...pipes] = expr.split('|').map((s) => s.trim());
  let value: number | string;
  if (head === '$value') value = data.value;
  else if (head === '$threshold') value = data.threshold ?? NaN;
  else if (head?.startsWith('$labels.')) value = data.labels[head.slice(8)] ?? '';
  else throw new Error(`unknown template expression {{ ${expr} }}`);
  for (const pipe of pipes) value = applyPipe(pipe, value);
  return typeof value === 'number' ? formatNumber(value) : value;
}

function applyPipe(pipe: string, value: number | string): string {
  const n = typeof value === 'number' ? value : Number(value);
  if (pipe === 'humanizePercentage') return `${formatNumber(n * 100)}%`;
  if (pipe === 'humanize') return humanize(n);
  if (pipe === 'humanizeDuration') return humanizeDuration(n);
  const printf = /^printf\s+"%\.(\d)f"$/.exec(pipe);
  if (printf) return n.toFixed(Number(printf[1]));
  throw new Error(`unknown template function ${pipe}`);
}

/** Up to 4 significant digits, no exponent for everyday numbers. */
export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  if (n === 0) return '0';
  const abs = Math.abs(n);
  if (abs >= 1e-4 && abs < 1e15) return String(Number(n.toPrecision(4)));
  return n.toExponential(3);
}

function humanize(n: number): string {
  const units = ['', 'k', 'M', 'G', 'T'];
  let i = 0;
  let v = n;
  while (Math.abs(v) >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${formatNumber(v)}${units[i]}`;
}

/** As Prometheus' humanizeDuration: from the largest non-zero unit down to seconds ("10m 0s"). */
function humanizeDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return String(seconds);
  if (Math.abs(seconds) < 60) return `${formatNumber(seconds)}s`;
  let rest = Math.floor(seconds);
  const parts: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
    ['s', 1],
  ] as const) {
    const k = Math.floor(rest / size);
    if (k > 0 || parts.length > 0) parts.push(`${k}${unit}`);
    rest -= k * size;
  }
  return parts.join(' ');
}
