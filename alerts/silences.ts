import {
  compileMatcher,
  matchesAll,
  parseMatcher,
  type LabelSet,
  type Matcher,
} from '../rules/index.js';
import { PipewatchError } from '../common/index.js';

/** A silence mutes matching alerts between startsAtMs and endsAtMs (Alertmanager's model). */
export interface Silence {
  readonly id: string;
  readonly matchers: readonly Matcher[];
  readonly startsAtMs: number;
  readonly endsAtMs: number;
  readonly createdBy: string;
  readonly comment: string;
}

export function silenceActive(s: Silence, nowMs: number): boolean {
  return s.startsAtMs <= nowMs && nowMs < s.endsAtMs;
}

export function silences(list: readonly Silence[], labels: LabelSet, nowMs: number): boolean {
  return list.some(
    (s) => silenceActive(s, nowMs) && matchesAll(s.matchers.map(compileMatcher), labels),
  );
}

/** Validates a silence request body into matchers and a time range. */
export function parseSilenceRequest(body: unknown, nowMs: number): Omit<Silence, 'id'> {
  const b = (body ?? {}) as Record<string, unknown>;
  const raw = b.matchers;
  if (!Array.isArray(raw) || raw.length === 0) {
    throw new PipewatchError(
      'SILENCE_INVALID',
      'field matchers: at least one matcher is required',
      {
        field: 'matchers',
      },
    );
  }
  const matchers = raw.map((m, i): Matcher => {
    const parsed =
      typeof m === 'string'
        ? parseMatcher(m)
        : m && typeof m === 'object'
          ? fromObject(m as Record<string, unknown>)
          : undefined;
    if (!parsed) {
      throw new PipewatchError(
        'SILENCE_INVALID',
        `field matchers[${i}]: expected label="value" (=, !=, =~, !~) or {name, value, isRegex, isEqual}`,
        { field: `matchers[${i}]` },
      );
    }
    try {
      compileMatcher(parsed);
    } catch (error) {
      throw new PipewatchError(
        'SILENCE_INVALID',
        `field matchers[${i}]: ${(error as Error).message}`,
        {
          field: `matchers[${i}]`,
        },
      );
    }
    return parsed;
  });
  if (matchers.every((m) => compileMatcher(m)({}))) {
    throw new PipewatchError(
      'SILENCE_INVALID',
      'field matchers: the matchers match every alert (an empty label matches); name a value',
      { field: 'matchers' },
    );
  }
  const startsAtMs = b.startsAt === undefined ? nowMs : time(b.startsAt, 'startsAt');
  let endsAtMs: number;
  if (b.endsAt !== undefined) endsAtMs = time(b.endsAt, 'endsAt');
  else if (typeof b.durationSeconds === 'number' && b.durationSeconds > 0) {
    endsAtMs = startsAtMs + b.durationSeconds * 1000;
  } else {
    throw new PipewatchError(
      'SILENCE_INVALID',
      'field endsAt: endsAt or durationSeconds is required',
      {
        field: 'endsAt',
      },
    );
  }
  if (endsAtMs <= startsAtMs) {
    throw new PipewatchError('SILENCE_INVALID', 'field endsAt: must be after startsAt', {
      field: 'endsAt',
    });
  }
  return {
    matchers,
    startsAtMs,
    endsAtMs,
    createdBy: typeof b.createdBy === 'string' ? b.createdBy : 'api',
    comment: typeof b.comment === 'string' ? b.comment : '',
  };
}

/** Alertmanager's v2 matcher object. */
function fromObject(m: Record<string, unknown>): Matcher | undefined {
  if (typeof m.name !== 'string' || typeof m.value !== 'string') return undefined;
  const regex = m.isRegex === true;
  const equal = m.isEqual !== false;
  return { label: m.name, op: regex ? (equal ? '=~' : '!~') : equal ? '=' : '!=', value: m.value };
}

function time(v: unknown, field: string): number {
  const ms = typeof v === 'number' ? v : typeof v === 'string' ? Date.parse(v) : NaN;
  if (!Number.isFinite(ms)) {
    throw new PipewatchError('SILENCE_INVALID', `field ${field}: expected ISO-8601 or epoch ms`, {
      field,
    });
  }
  return ms;
}
