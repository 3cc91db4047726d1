/**
 * Reading `pipewatch drift` inputs: one value per line; empty lines, `null` and `NA` are nulls.
 * Numbers are parsed straight from the bytes (most lines take the exact fast path below), so a
 * million-line file costs tens of milliseconds rather than a million string allocations.
 */
import { readFileSync } from 'node:fs';
import { PipewatchError } from '../../common/index.js';

export interface NumericColumn {
  /** Non-null values, sorted ascending. */
  readonly sorted: Float64Array;
  readonly nullCount: number;
  readonly rowCount: number;
}

export interface CategoricalColumn {
  readonly values: string[];
  readonly nullCount: number;
  readonly rowCount: number;
}

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const SPACE = 0x20;
const TAB = 0x09;
// Powers of ten that are exact doubles: m/10^k and m·10^k are then correctly rounded.
const EXACT_POWERS = Array.from({ length: 23 }, (_, k) => 10 ** k);

export function readInput(file: string): Buffer {
  try {
    return readFileSync(file);
  } catch (error) {
    throw new PipewatchError(
      'DRIFT_INPUT_UNREADABLE',
      `cannot read ${file}: ${(error as Error).message}`,
      { file },
      { cause: error },
    );
  }
}

/** Calls `visit(start, end, lineNumber)` for each line with surrounding blanks trimmed. */
function forEachLine(
  bytes: Buffer,
  visit: (start: number, end: number, lineNumber: number) => void,
): number {
  let lineNumber = 0;
  let start = 0;
  while (start < bytes.length) {
    let end = bytes.indexOf(NEWLINE, start);
    const next = end === -1 ? bytes.length : end + 1;
    if (end === -1) end = bytes.length;
    let s = start;
    let e = end;
    while (s < e && isBlank(bytes[s] as number)) s++;
    while (e > s && isBlank(bytes[e - 1] as number)) e--;
    lineNumber++;
    visit(s, e, lineNumber);
    start = next;
  }
  return lineNumber;
}

function isBlank(byte: number): boolean {
  return byte === SPACE || byte === TAB || byte === CARRIAGE_RETURN;
}

function isNull(bytes: Buffer, start: number, end: number): boolean {
  const length = end - start;
  if (length === 0) return true;
  if (length === 2) return bytes[start] === 0x4e && bytes[start + 1] === 0x41; // NA
  return length === 4 && bytes.toString('latin1', start, end) === 'null';
}

export function parseNumericColumn(bytes: Buffer, file: string): NumericColumn {
  const values = new Float64Array(countLines(bytes));
  let count = 0;
  let nullCount = 0;
  let lineNumber = 0;
  const length = bytes.length;
  let i = 0;
  // One pass over the bytes; a line that is not a plain short decimal takes the slow path.
  while (i < length) {
    lineNumber++;
    const lineStart = i;
    let c = bytes[i] as number;
    while (c === SPACE || c === TAB) c = bytes[++i] as number;
    let negative = false;
    if (c === 0x2d || c === 0x2b) {
      negative = c === 0x2d;
      c = bytes[++i] as number;
    }
    let mantissa = 0;
    let digits = 0;
    let scale = 0;
    let intDigits = 0;
    while (c >= 0x30 && c <= 0x39) {
      mantissa = mantissa * 10 + (c - 0x30);
      intDigits++;
      if (mantissa !== 0) digits++;
      c = bytes[++i] as number;
    }
    let fracDigits = 0;
    if (c === 0x2e) {
      c = bytes[++i] as number;
      while (c >= 0x30 && c <= 0x39) {
        mantissa = mantissa * 10 + (c - 0x30);
        fracDigits++;
        if (mantissa !== 0) digits++;
        c = bytes[++i] as number;
      }
      scale = fracDigits;
    }
    while (c === SPACE || c === TAB || c === CARRIAGE_RETURN) c = bytes[++i] as number;
    const atEnd = i >= length || c === NEWLINE;
    if (atEnd && intDigits + fracDigits > 0 && digits <= 15 && scale <= 22) {
      const value = mantissa / (EXACT_POWERS[scale] as number);
      values[count++] = negative ? -value : value;
      i++;
      continue;
    }
    // Slow path: nulls, exponents, long mantissas and errors.
    let lineEnd = bytes.indexOf(NEWLINE, lineStart);
    if (lineEnd === -1) lineEnd = length;
    let s = lineStart;
    let e = lineEnd;
    while (s < e && isBlank(bytes[s] as number)) s++;
    while (e > s && isBlank(bytes[e - 1] as number)) e--;
    i = lineEnd + 1;
    if (isNull(bytes, s, e)) {
      nullCount++;
      continue;
    }
    const value = slowParse(bytes.toString('latin1', s, e));
    if (!Number.isFinite(value)) {
      const text = bytes.toString('utf8', s, Math.min(e, s + 40));
      throw new PipewatchError(
        'DRIFT_INPUT_INVALID',
        `${file}:${lineNumber}: '${text}' is not a finite number (use an empty line, null or NA for a missing value)`,
        { file, line: lineNumber },
      );
    }
    values[count++] = value;
  }
  if (count === 0) {
    throw new PipewatchError('DRIFT_INPUT_INVALID', `${file} has no non-null values`, { file });
  }
  return { sorted: values.subarray(0, count).sort(), nullCount, rowCount: lineNumber };
}

export function parseCategoricalColumn(bytes: Buffer, file: string): CategoricalColumn {
  const values: string[] = [];
  let nullCount = 0;
  const rowCount = forEachLine(bytes, (start, end) => {
    if (isNull(bytes, start, end)) nullCount++;
    else values.push(bytes.toString('utf8', start, end));
  });
  if (values.length === 0) {
    throw new PipewatchError('DRIFT_INPUT_INVALID', `${file} has no non-null values`, { file });
  }
  return { values, nullCount, rowCount };
}

function countLines(bytes: Buffer): number {
  let lines = 0;
  for (let i = bytes.indexOf(NEWLINE); i !== -1; i = bytes.indexOf(NEWLINE, i + 1)) lines++;
  return lines + 1;
}

const DECIMAL = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

function slowParse(text: string): number {
  return DECIMAL.test(text) ? Number(text) : Number.NaN;
}
