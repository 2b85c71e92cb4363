// Progress of install / update: a bar redrawn on one line when stderr is a terminal, otherwise
// one line per phase (downloads report bytes and percent; other phases only their name).
import type { SkillOperationProgressEvent } from '../lifecycle/events.js';

const BAR_WIDTH = 24;

function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  return `${(n / (1024 * 1024)).toFixed(1)} MiB`;
}

/** The text of one progress event: `[#####-----]  42% downloading_archive 1.2/2.9 MiB`. */
export function renderProgress(e: SkillOperationProgressEvent): string {
  const percent = typeof e.percent === 'number' ? Math.max(0, Math.min(100, e.percent)) : null;
  const filled = percent === null ? 0 : Math.round((percent / 100) * BAR_WIDTH);
  const bar = percent === null ? '' : `[${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}] ${String(Math.round(percent)).padStart(3)}% `;
  let size = '';
  if (typeof e.bytes_done === 'number') size = typeof e.bytes_total === 'number' ? ` ${bytes(e.bytes_done)}/${bytes(e.bytes_total)}` : ` ${bytes(e.bytes_done)}`;
  return `${bar}${e.phase}${e.status === 'started' || e.status === 'progress' ? '' : ` (${e.status})`}${size}`;
}

/** A listener for the engine's `'skill-progress'` event, and `done()` to end the bar's line. */
export interface ProgressReporter {
  listener: (event: SkillOperationProgressEvent) => void;
  done(): void;
}

export function createProgressReporter(stream: NodeJS.WriteStream = process.stderr): ProgressReporter {
  const tty = stream.isTTY === true;
  let lastPhase = '';
  let drawn = false;
  let pending: SkillOperationProgressEvent | null = null;
  const line = (e: SkillOperationProgressEvent): string => `${e.action.toLowerCase()}: ${renderProgress(e)}\n`;
  return {
    listener(event) {
      try {
        draw(event);
      } catch {
        // Progress output must never fail the operation (a closed stderr, say).
      }
    },
    done() {
      if (drawn) stream.write('\n');
      drawn = false;
    },
  };

  function draw(event: SkillOperationProgressEvent): void {
    if (tty) {
      const text = renderProgress(event);
      const width = Math.max(20, (stream.columns || 80) - 1);
      stream.write(`\r${text.slice(0, width).padEnd(width)}`);
      drawn = true;
      return;
    }
    // Without a terminal: one line per phase (and its final status), not one per chunk; the
    // last chunk of a phase (a download's 100%) is printed when the next phase starts.
    const key = `${event.phase}:${event.status === 'progress' ? 'started' : event.status}`;
    if (key === lastPhase) {
      pending = event;
      return;
    }
    if (pending !== null) stream.write(line(pending));
    pending = null;
    lastPhase = key;
    stream.write(line(event));
  }
}
