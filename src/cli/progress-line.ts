/**
 * A perf tool's live progress. On a terminal one line is rewritten in place (`\r`, the
 * rest of the previous text blanked) several times a second and erased at the end, so
 * only the final figures stay on screen. Into a pipe or file, where `\r` would only add
 * noise, a whole line is printed every `intervalMs` instead, as Kafka's perf tools print
 * their windowed figures every 5 s.
 */
export class ProgressLine {
  private timer: NodeJS.Timeout | undefined;
  private shownWidth = 0;
  private readonly tty: boolean;

  constructor(
    private readonly stream: NodeJS.WriteStream,
    /** The text to show; `tty` says whether it will be rewritten in place (a running total) or printed as a line (a window). */
    private readonly render: (tty: boolean) => string,
    private readonly intervalMs: number,
    private readonly ttyIntervalMs = 250,
  ) {
    this.tty = stream.isTTY === true;
  }

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => this.show(), this.tty ? this.ttyIntervalMs : this.intervalMs);
    this.timer.unref();
  }

  /** Stops updating; on a terminal the progress line is erased. */
  stop(): void {
    clearInterval(this.timer);
    this.timer = undefined;
    if (this.tty && this.shownWidth > 0) this.stream.write(`\r${' '.repeat(this.shownWidth)}\r`);
    this.shownWidth = 0;
  }

  private show(): void {
    const text = this.render(this.tty);
    if (!this.tty) {
      this.stream.write(`${text}\n`);
      return;
    }
    const columns = this.stream.columns > 1 ? this.stream.columns - 1 : 120;
    const line = text.length > columns ? text.slice(0, columns) : text;
    this.stream.write(`\r${line}${' '.repeat(Math.max(0, this.shownWidth - line.length))}`);
    this.shownWidth = line.length;
  }
}
