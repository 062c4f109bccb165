/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Units of work; `undefined` when unknown (then a count, no bar and no ETA). */
  readonly total: number | undefined;
  /** Text in front of the bar, e.g. `hash 2/4`. */
  readonly label?: string;
  /** @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Seconds between lines when the stream is not a terminal (CI logs, pipes, TERM=dumb). @default 10 */
  readonly plainIntervalSeconds?: number;
  /** Bar width in characters. @default 24 */
  readonly width?: number;
}

/**
 * The one progress bar of the CLIs: a self-redrawing line on a terminal (at most 10 redraws a second), or a plain
 * line every few seconds and at the end where the stream is not a TTY or `TERM=dumb`. The ETA counts only the work
 * done since the bar started, so a resumed run does not look fast.
 */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly total: number | undefined;
  private readonly label: string;
  private readonly width: number;
  private readonly plainIntervalMs: number;
  /** Redraws in place: a TTY that understands `\r` and erase-line. */
  private readonly live: boolean;
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private lastDrawAt = 0;
  private startValue: number | null = null;
  private drawn = false;

  constructor(options: ProgressBarOptions) {
    this.total = options.total;
    this.label = options.label === undefined ? '' : `${options.label} `;
    this.stream = options.stream ?? process.stderr;
    this.width = options.width ?? 24;
    this.plainIntervalMs = (options.plainIntervalSeconds ?? 10) * 1000;
    this.live = this.stream.isTTY === true && process.env.TERM !== 'dumb';
  }

  /** Shows `value` done (of `total`), with a free-text status such as a loss or images/s. */
  update(value: number, status = ''): void {
    this.startValue ??= value;
    const now = Date.now();
    const { total } = this;
    const finished = total !== undefined && value >= total;
    if (this.live && !finished && now - this.lastDrawAt < 100) return;
    this.lastDrawAt = now;
    const elapsed = (now - this.startedAt) / 1000;
    const text = `${this.label}${this.counter(value)} ${status} | ${formatDuration(elapsed)} elapsed${this.eta(value, elapsed)}`;
    if (this.live) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
      this.drawn = true;
    } else if (now - this.lastPlainAt >= this.plainIntervalMs || finished) {
      this.lastPlainAt = now;
      this.stream.write(`${text}\n`);
    }
  }

  /** Prints a line above the bar without garbling it. */
  log(message: string): void {
    if (this.live && this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(`${message}\n`);
    this.drawn = false;
  }

  /** Ends the bar's line (call before printing anything else). */
  finish(): void {
    if (this.live && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }

  private counter(value: number): string {
    if (this.total === undefined) return String(value);
    const fraction = this.total > 0 ? Math.min(1, value / this.total) : 1;
    const filled = Math.round(fraction * this.width);
    return `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)} ${value}/${this.total}`;
  }

  private eta(value: number, elapsed: number): string {
    if (this.total === undefined) return '';
    const doneThisRun = value - (this.startValue ?? value);
    return `, ETA ${formatDuration(doneThisRun > 0 ? ((this.total - value) * elapsed) / doneThisRun : Number.NaN)}`;
  }
}

/** `83` -> `01:23`, `3723` -> `1:02:03`; `--:--` for an unknown time. */
export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const two = (value: number) => String(value).padStart(2, '0');
  const minutesAndSeconds = `${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`;
  return hours > 0 ? `${hours}:${minutesAndSeconds}` : minutesAndSeconds;
}
