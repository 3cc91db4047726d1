/**
 * "k consecutive drifting windows" per (topic, feature, window), kept by nested maps (no string
 * keys to match by prefix) and saved with the window state, so a restart resumes the count.
 */
import { INITIAL_DRIFT_STREAK, nextDriftStreak, type DriftStreak } from '../../detectors/index.js';

export interface WindowStreak {
  readonly streak: DriftStreak;
  /** Index (endMs / sub-window length) of the sub-window in which the streak last stepped. */
  readonly lastStep: number;
}

/** A window's streak as saved (the store's `SavedStreak`). */
export interface SavedWindowStreak {
  readonly window: string;
  readonly consecutive: number;
  readonly drifting: boolean;
  readonly lastStep: number;
}

export class StreakBook {
  private readonly byTopic = new Map<string, Map<string, Map<string, WindowStreak>>>();

  /**
   * Steps the streak of one window once per sub-window slide (each step is a new window
   * position); evaluations within the same sub-window leave it as it is.
   */
  step(
    topic: string,
    feature: string,
    window: string,
    step: number,
    drift: boolean,
    k: number,
  ): DriftStreak {
    const windows = this.windowsOf(topic, feature, true)!;
    const previous = windows.get(window) ?? { streak: INITIAL_DRIFT_STREAK, lastStep: -1 };
    if (step <= previous.lastStep) return previous.streak;
    const streak = nextDriftStreak(previous.streak, drift, k);
    windows.set(window, { streak, lastStep: step });
    return streak;
  }

  forget(topic: string, feature: string): void {
    const features = this.byTopic.get(topic);
    features?.delete(feature);
    if (features?.size === 0) this.byTopic.delete(topic);
  }

  saved(topic: string, feature: string): SavedWindowStreak[] {
    const windows = this.windowsOf(topic, feature, false);
    return [...(windows ?? new Map<string, WindowStreak>())].map(([window, s]) => ({
      window,
      consecutive: s.streak.consecutive,
      drifting: s.streak.drifting,
      lastStep: s.lastStep,
    }));
  }

  /** Replaces a feature's streaks with saved ones (a restart). */
  restore(topic: string, feature: string, saved: readonly SavedWindowStreak[]): void {
    this.forget(topic, feature);
    if (saved.length === 0) return;
    const windows = this.windowsOf(topic, feature, true)!;
    for (const s of saved) {
      windows.set(s.window, {
        streak: { consecutive: s.consecutive, drifting: s.drifting },
        lastStep: s.lastStep,
      });
    }
  }

  private windowsOf(
    topic: string,
    feature: string,
    create: boolean,
  ): Map<string, WindowStreak> | undefined {
    let features = this.byTopic.get(topic);
    if (!features) {
      if (!create) return undefined;
      this.byTopic.set(topic, (features = new Map<string, Map<string, WindowStreak>>()));
    }
    let windows = features.get(feature);
    if (!windows && create) features.set(feature, (windows = new Map<string, WindowStreak>()));
    return windows;
  }
}
