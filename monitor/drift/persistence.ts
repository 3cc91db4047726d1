/**
 * Drift state across restarts: a feature's window counts and its streaks are saved together
 * (one row per (topic, feature)), and restored only for the same reference version and window
 * specs; anything else starts over, with one log line saying why.
 */
import type { Logger } from 'pino';
import {
  restoreWindowState,
  serializeWindowState,
  type FeatureWindows,
  type WindowSpec,
} from '../../detectors/index.js';
import type { SavedStreak, WindowStateStore } from '../../store/index.js';
import type { TrackedFeature, WatchedReference } from './sink.js';

export interface RestoredDrift {
  readonly windows: FeatureWindows;
  readonly streaks: readonly SavedStreak[];
}

/** Saves every tracked feature (one transaction); `streaksOf` gives each feature's streaks. */
export function saveDriftStates(
  store: WindowStateStore,
  tracked: readonly TrackedFeature[],
  streaksOf: (topic: string, feature: string) => readonly SavedStreak[],
  nowMs: number,
): void {
  store.saveAll(
    tracked.map((t) => ({
      topic: t.topic,
      feature: t.feature,
      referenceVersion: t.version,
      savedAtMs: nowMs,
      state: serializeWindowState(t.windows.settled()),
      streaks: streaksOf(t.topic, t.feature),
    })),
  );
}

/** The saved state of `watched`, or undefined (nothing saved, other version, specs, unreadable). */
export function restoreDriftState(
  store: WindowStateStore,
  watched: WatchedReference,
  specs: readonly WindowSpec[],
  logger: Logger,
): RestoredDrift | undefined {
  const where = { topic: watched.topic, feature: watched.feature };
  try {
    const saved = store.load(watched.topic, watched.feature);
    if (!saved) return undefined;
    if (saved.referenceVersion !== watched.version) {
      logger.info(
        { ...where, savedVersion: saved.referenceVersion, referenceVersion: watched.version },
        'discarding saved drift windows of another reference version',
      );
      store.delete(watched.topic, watched.feature);
      return undefined;
    }
    const windows = restoreWindowState(saved.state, watched.reference);
    if (JSON.stringify(windows.specs) !== JSON.stringify(specs)) {
      logger.info(where, 'discarding saved drift windows: window specs changed');
      return undefined;
    }
    logger.info({ ...where, savedAtMs: saved.savedAtMs }, 'drift windows restored');
    return { windows, streaks: saved.streaks };
  } catch (error) {
    logger.warn({ ...where, err: error }, 'discarding unreadable drift windows');
    return undefined;
  }
}
