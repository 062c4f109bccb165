/** One self-updating progress line on a TTY, or a plain line every few seconds elsewhere (CI logs). */
export class ProgressBar {
  private readonly stream: NodeJS.WriteStream;
  private readonly startedAt = Date.now();
  private lastPlainAt = 0;
  private drawn = false;

  constructor(
    private readonly total: number,
    private readonly label: string,
    stream: NodeJS.WriteStream = process.stderr,
    private readonly plainIntervalMs = 10_000,
  ) {
    this.stream = stream;
  }

  update(value: number, status = ''): void {
    const fraction = this.total > 0 ? Math.min(1, value / this.total) : 1;
    const elapsed = (Date.now() - this.startedAt) / 1000;
    const eta = value > 0 ? ((this.total - value) * elapsed) / value : Number.NaN;
    const width = 24;
    const filled = Math.round(fraction * width);
    const text = `${this.label} ${'█'.repeat(filled)}${'░'.repeat(width - filled)} ${value}/${this.total} ${status} | ${formatDuration(elapsed)}, ETA ${formatDuration(eta)}`;
    if (this.stream.isTTY) {
      const columns = this.stream.columns ?? 120;
      this.stream.write(`\r${text.slice(0, columns - 1)}\x1b[K`);
      this.drawn = true;
    } else if (Date.now() - this.lastPlainAt >= this.plainIntervalMs || value >= this.total) {
      this.lastPlainAt = Date.now();
      this.stream.write(`${text}\n`);
    }
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
  return hours > 0 ? `${hours}:${two(Math.floor((whole % 3600) / 60))}:${two(whole % 60)}` : `${two(Math.floor(whole / 60))}:${two(whole % 60)}`;
}
