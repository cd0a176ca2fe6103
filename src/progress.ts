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

/**
 * One bar for tasks that run at once (e.g. the metric groups' bootstraps): each part gets an equal share of the
 * bar, which its own start/tick calls fill (a part that starts again keeps counting towards the same share, which
 * never exceeds its slice).
 *
 * @example
 * const bar = sharedProgress(progress, 2, 'bootstrap intervals');
 * await Promise.all([work(bar.part()), work(bar.part())]);
 * bar.stop();
 */
export function sharedProgress(outer: Progress, parts: number, label: string): { part(): Progress; stop(): void } {
  const slice = 1000;
  outer.start(parts * slice, label);
  let credited = 0;
  let shown = 0;
  return {
    part() {
      let total = 1;
      let done = 0;
      let share = 0;
      return {
        start(t) {
          total = Math.max(1, t);
          done = 0;
        },
        tick(n = 1) {
          done = Math.min(total, done + n);
          const next = Math.min(slice, Math.max(share, (done / total) * slice));
          credited += next - share;
          share = next;
          const k = Math.floor(credited) - shown;
          if (k > 0) {
            shown += k;
            outer.tick(k);
          }
        },
        stop() {},
      };
    },
    stop() {
      outer.stop();
    },
  };
}
