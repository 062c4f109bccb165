/** Options of {@link ProgressBar}. */
export interface ProgressBarOptions {
  /** Total units of work, when known. */
  readonly total: number | undefined;
  readonly label: string;
  /** @default process.stderr */
  readonly stream?: NodeJS.WriteStream;
  /** Seconds between lines when the stream is not a terminal (CI logs). @default 10 */
  readonly plainIntervalSeconds?: number;
}

/** One self-redrawing line on a terminal, or a plain line every few seconds elsewhere. */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly startedAt = Date.now();
  private readonly plainIntervalMs: number;
  private lastPlainAt = 0;
  private lastDrawAt = 0;
  private drawn = false;

  constructor(private readonly options: ProgressBarOptions) {
    this.stream = options.stream ?? process.stderr;
    this.plainIntervalMs = (options.plainIntervalSeconds ?? 10) * 1000;
  }

  /** Shows `value` done (of `total`), with a status such as a loss or images/s. Redraws at most 10 times a second. */
  update(value: number, status = ''): void {
    const now = Date.now();
    const { total } = this.options;
    const finished = total !== undefined && value >= total;
    if (!finished && now - this.lastDrawAt < 100) return;
    this.lastDrawAt = now;
    const elapsed = (now - this.startedAt) / 1000;
    const width = 24;
    const fraction = total === undefined || total === 0 ? 0 : Math.min(1, value / total);
    const bar = total === undefined ? '' : `${'█'.repeat(Math.round(fraction * width))}${'░'.repeat(width - Math.round(fraction * width))} `;
    const eta = total === undefined || value === 0 ? '' : `, ETA ${formatDuration(((total - value) * elapsed) / value)}`;
    const text = `${this.options.label} ${bar}${value}${total === undefined ? '' : `/${total}`} ${status} | ${formatDuration(elapsed)}${eta}`;
    if (this.stream.isTTY) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
      this.drawn = true;
    } else if (now - this.lastPlainAt >= this.plainIntervalMs || finished) {
      this.lastPlainAt = now;
      this.stream.write(`${text}\n`);
    }
  }

  /** Prints a line above the bar. */
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
  const two = (value: number) => String(value).padStart(2, '0');
  const hours = Math.floor(whole / 3600);
  return hours > 0 ? `${hours}:${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}` : `${two(Math.floor(whole / 60))}:${two(whole % 60)}`;
}
