// Progress on stderr: a bar redrawn in place on a terminal, otherwise a plain line when a phase
// starts and ends (a log file or CI gets no carriage returns).
export interface Progress {
  phase(label: string, total: number): void;
  tick(n?: number): void;
  done(): void;
  line(text: string): void;
}

export function createProgress(stream: NodeJS.WriteStream = process.stderr, quiet = false): Progress {
  if (quiet) return { phase() {}, tick() {}, done() {}, line() {} };
  const tty = stream.isTTY === true;
  let label = '';
  let total = 0;
  let count = 0;
  let drawn = 0;
  const draw = () => {
    const now = Date.now();
    if (now - drawn < 80 && count < total) return;
    drawn = now;
    const width = 30;
    const filled = total ? Math.round((count / total) * width) : width;
    stream.write(`\r\x1b[K${label} [${'#'.repeat(filled)}${'-'.repeat(width - filled)}] ${count}/${total}`);
  };
  return {
    phase(l, t) {
      label = l;
      total = t;
      count = 0;
      drawn = 0;
      if (tty) draw();
      else stream.write(`${label}: ${total} packages\n`);
    },
    tick(n = 1) {
      count += n;
      if (tty) draw();
    },
    done() {
      if (tty) stream.write('\r\x1b[K');
    },
    line(text) {
      if (tty) stream.write('\r\x1b[K');
      stream.write(`${text}\n`);
      if (tty && count < total) draw();
    },
  };
}
