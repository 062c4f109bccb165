/** Draws one self-updating progress line on a TTY, or a plain line every few seconds elsewhere (CI logs). */
export interface ProgressBarOptions {
  readonly total: number;
  readonly stream?: NodeJS.WriteStream;
  /** Seconds between lines when the stream is not a TTY. @default 10 */
  readonly plainIntervalSeconds?: number;
  /** Bar width in characters. @default 24 */
  readonly width?: number;
}

export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly total: number;
  private readonly width: number;
  private readonly plainIntervalMs: number;
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private startValue: number | null = null;
  private drawn = false;

  constructor(options: ProgressBarOptions) {
    this.total = options.total;
    this.stream = options.stream ?? process.stderr;
    this.width = options.width ?? 24;
    this.plainIntervalMs = (options.plainIntervalSeconds ?? 10) * 1000;
  }

  /** Shows `value` of `total` done, with a free-text status such as losses. */
  update(value: number, status: string): void {
    this.startValue ??= value;
    const fraction = this.total > 0 ? Math.min(1, value / this.total) : 1;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const doneThisRun = value - this.startValue;
    const eta = doneThisRun > 0 ? ((this.total - value) * elapsed) / doneThisRun : Number.NaN;
    const filled = Math.round(fraction * this.width);
    const bar = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)}`;
    const text = `${bar} ${value}/${this.total} ${status} | ${formatDuration(elapsed)} elapsed, ETA ${formatDuration(eta)}`;
    if (this.stream.isTTY) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.slice(0, columns - 1).padEnd(Math.min(columns - 1, text.length))}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPlainAt >= this.plainIntervalMs || value >= this.total) {
      this.lastPlainAt = Date.now();
      this.stream.write(`${text}\n`);
    }
  }

  /** Prints a message above the bar without garbling it. */
  log(message: string): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\r\x1b[K');
    this.stream.write(`${message}\n`);
  }

  finish(): void {
    if (this.stream.isTTY && this.drawn) this.stream.write('\n');
    this.drawn = false;
  }
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '--:--';
  const whole = Math.max(0, Math.round(seconds));
  const hours = Math.floor(whole / 3600);
  const minutes = Math.floor((whole % 3600) / 60);
  const rest = whole % 60;
  const two = (value: number) => String(value).padStart(2, '0');
  return hours > 0 ? `${hours}:${two(minutes)}:${two(rest)}` : `${two(minutes)}:${two(rest)}`;
}
