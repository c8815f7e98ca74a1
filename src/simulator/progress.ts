/**
 * Progress of a long simulator run on stderr: a bar redrawn in place (carriage return) when the
 * stream is a terminal, otherwise a plain line at every 10 % (so logs and CI output stay
 * readable), or nothing when quiet. Redraws are throttled to one per 100 ms.
 */

export interface ProgressOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

export type ProgressReporter = (done: number, total: number) => void;

const BAR_WIDTH = 30;

function count(n: number): string {
  return n.toLocaleString('en-US');
}

export function progressReporter(label: string, out: ProgressOutput, opts: { quiet?: boolean } = {}): ProgressReporter {
  if (opts.quiet) return () => undefined;
  if (out.isTTY) {
    let lastDraw = 0;
    return (done, total) => {
      const now = Date.now();
      if (done < total && now - lastDraw < 100) return;
      lastDraw = now;
      const ratio = total > 0 ? Math.min(1, done / total) : 1;
      const filled = Math.round(ratio * BAR_WIDTH);
      const bar = `${'#'.repeat(filled)}${'-'.repeat(BAR_WIDTH - filled)}`;
      out.write(`\r${label} [${bar}] ${String(Math.floor(ratio * 100)).padStart(3)}% ${count(done)}/${count(total)} lines`);
      if (done >= total) out.write('\n');
    };
  }
  let lastTenth = -1;
  return (done, total) => {
    const tenth = total > 0 ? Math.floor((done / total) * 10) : 10;
    if (tenth <= lastTenth) return;
    lastTenth = tenth;
    out.write(`${label}: ${tenth * 10}% (${count(done)} of ${count(total)} lines)\n`);
  };
}
