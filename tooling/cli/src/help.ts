/**
 * The options every CLI takes, as the last rows of its `--help`: `-h, --help` and `--version`, with their
 * descriptions starting at `column` (the column of the app's other descriptions).
 *
 * @example `Options:\n  --out <dir>   run folder\n${standardOptionsHelp(16)}` // "  -h, --help    this text\n  --version     ..."
 */
export function standardOptionsHelp(column: number): string {
  const row = (flags: string, text: string): string =>
    `  ${flags.padEnd(Math.max(flags.length + 1, column - 2))}${text}\n`;
  return row('-h, --help', 'this text') + row('--version', 'print the name and version, and exit');
}
