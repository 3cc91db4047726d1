/**
 * Renders a gate verdict as text (people), json (machines) or github (Actions annotations:
 * `::error file=NEW.avsc,line=N,title=<kind>::<path>: <message>`, escaped as the workflow
 * command syntax requires).
 */
import type { CompatibilityLevel, CompatibilityResult } from '../../schemas/index.js';

export const reportFormats = ['text', 'json', 'github'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export interface GateReport {
  readonly candidate: string;
  /** The candidate's text, to point annotations at a line. */
  readonly candidateText: string;
  readonly level: CompatibilityLevel;
  /** Labels of the previous schemas, oldest first. */
  readonly previous: readonly string[];
  readonly result: CompatibilityResult;
}

export function renderReport(report: GateReport, format: ReportFormat): string {
  switch (format) {
    case 'json':
      return `${JSON.stringify(jsonReport(report), null, 2)}\n`;
    case 'github':
      return githubReport(report);
    case 'text':
      return textReport(report);
  }
}

/** Which previous versions the level compares against. */
function checkedLabels({ level, previous }: GateReport): readonly string[] {
  if (level === 'NONE') return [];
  return level.endsWith('_TRANSITIVE') ? previous : previous.slice(-1);
}

function summary(report: GateReport): string {
  const checked = checkedLabels(report);
  const against = checked.length === 0 ? 'no previous schema' : checked.join(', ');
  const count = report.result.incompatibilities.length;
  const verdict = report.result.compatible
    ? 'is compatible'
    : `is INCOMPATIBLE (${count} ${count === 1 ? 'problem' : 'problems'})`;
  return `${report.candidate} ${verdict} under ${report.level}, checked against ${against}`;
}

function textReport(report: GateReport): string {
  const lines = [summary(report)];
  for (const i of report.result.incompatibilities) {
    const against =
      report.previous[i.previousVersionIndex] ?? `version ${i.previousVersionIndex + 1}`;
    lines.push(`  ${i.kind} at ${i.path} (${i.direction}, against ${against})`, `    ${i.message}`);
  }
  return `${lines.join('\n')}\n`;
}

function jsonReport(report: GateReport) {
  return {
    compatible: report.result.compatible,
    level: report.level,
    candidate: report.candidate,
    previous: report.previous,
    checked: checkedLabels(report),
    incompatibilities: report.result.incompatibilities.map((i) => ({
      ...i,
      previous: report.previous[i.previousVersionIndex],
    })),
  };
}

function githubReport(report: GateReport): string {
  const lines = report.result.incompatibilities.map((i) => {
    const line = lineOfField(report.candidateText, i.path);
    const props = [`file=${escapeProperty(report.candidate)}`];
    if (line !== undefined) props.push(`line=${line}`);
    props.push(`title=${escapeProperty(i.kind)}`);
    return `::error ${props.join(',')}::${escapeData(`${i.path}: ${i.message}`)}`;
  });
  lines.push(summary(report));
  return `${lines.join('\n')}\n`;
}

/**
 * Best effort: the line declaring the last field named in the path, so the annotation lands
 * next to it. Undefined when the candidate has no such field (it may exist only in the old one).
 */
function lineOfField(text: string, path: string): number | undefined {
  const names = [...path.matchAll(/\/fields\/([^/]+)/g)].map((m) => m[1]);
  const last = names.at(-1);
  if (last === undefined) return undefined;
  const escaped = last.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const match = new RegExp(`"name"\\s*:\\s*"${escaped}"`).exec(text);
  if (!match) return undefined;
  return text.slice(0, match.index).split('\n').length;
}

/** Workflow command escaping (actions/toolkit `escapeData` and `escapeProperty`). */
export function escapeData(value: string): string {
  return value.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

export function escapeProperty(value: string): string {
  return escapeData(value).replace(/:/g, '%3A').replace(/,/g, '%2C');
}
