/** One self-updating progress line on a TTY; elsewhere (CI logs, pipes) a plain line every few seconds. */
export class ProgressBar {
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private startValue: number | undefined;
  private drawn = false;

  constructor(
    private readonly stream: NodeJS.WriteStream = process.stderr,
    private readonly width = 24,
    private readonly plainIntervalMilliseconds = 10_000,
  ) {}

  /** Shows `value` of `total` (unknown totals show a count only) and a status text. */
  update(value: number, total: number | undefined, status: string): void {
    this.startValue ??= value;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const doneThisRun = value - this.startValue;
    let text: string;
    if (total !== undefined && total > 0) {
      const fraction = Math.min(1, value / total);
      const filled = Math.round(fraction * this.width);
      const eta = doneThisRun > 0 ? ((total - value) * elapsed) / doneThisRun : Number.NaN;
      text = `${'█'.repeat(filled)}${'░'.repeat(this.width - filled)} ${value}/${total} ${status} | ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`;
    } else {
      text = `${value} ${status} | ${formatDuration(elapsed)}`;
    }
    if (this.stream.isTTY) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPlainAt >= this.plainIntervalMilliseconds || (total !== undefined && value >= total)) {
      this.lastPlainAt = Date.now();
      this.stream.write(`${text}\n`);
    }
  }

  /** Prints a line above the bar without garbling it. */
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
  const two = (value: number) => String(value).padStart(2, '0');
  const minutesAndSeconds = `${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}`;
  return hours > 0 ? `${hours}:${minutesAndSeconds}` : minutesAndSeconds;
}
