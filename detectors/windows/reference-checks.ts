/** Input checks of the reference builders: each error is REFERENCE_INVALID naming the field. */
import { PipewatchError } from '../../common/index.js';

export function invalid(field: string, message: string): PipewatchError {
  return new PipewatchError('REFERENCE_INVALID', `${field} ${message}`, { field });
}

/** Bin edges interpolate and distances subtract: the value range must be a finite number. */
export function checkRange(field: string, min: number, max: number): void {
  if (!Number.isFinite(max - min)) {
    throw invalid(
      field,
      `span [${min}, ${max}], wider than the largest double: max - min must be finite`,
    );
  }
}

/** Counts are added up to n: the sum must stay finite. */
export function checkSum(field: string, counts: readonly number[]): number {
  const n = counts.reduce((a, b) => a + b, 0);
  if (!Number.isFinite(n)) throw invalid(field, `must have a finite sum, got ${n}`);
  return n;
}

export function checkBinCount(field: string, value: number, min: number, max: number): number {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw invalid(field, `must be an integer in [${min}, ${max}], got ${value}`);
  }
  return value;
}

export function checkFiniteArray(
  field: string,
  values: readonly number[],
  minLength: number,
): void {
  if (!Array.isArray(values) || values.length < minLength) {
    throw invalid(field, `must be an array of at least ${minLength} numbers`);
  }
  values.forEach((v, i) => {
    if (typeof v !== 'number' || !Number.isFinite(v)) {
      throw invalid(`${field}[${i}]`, `must be a finite number, got ${String(v)}`);
    }
  });
}

export function checkNullCount(field: string, value: number | undefined): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0) {
    throw invalid(field, `must be a non-negative integer, got ${value}`);
  }
  return value;
}

export function tooManyCategories(field: string, maxCategories: number): PipewatchError {
  return invalid(
    field,
    `hold more than ${maxCategories} distinct categories (the cap, references.maxCategories)`,
  );
}
