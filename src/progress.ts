/**
 * Progress reporting for long work. Library code takes a `Progress` and never prints; the CLI passes a bar on
 * stderr (see cli/progress.ts), tests pass nothing (silentProgress).
 */
export interface Progress {
  /** Begins a task of `total` units (bytes, images, steps); `label` is shown beside the bar. */
  start(total: number, label: string): void;
  /** Advances by `n` units (default 1); `info` replaces the bar's trailing text (e.g. losses, images/s). */
  tick(n?: number, info?: string): void;
  /** Ends the task (the bar is cleared or completed). */
  stop(): void;
}

export const silentProgress: Progress = {
  start() {},
  tick() {},
  stop() {},
};
