// @ts-check

/**
 * Formats rows as a plain-text table with a header rule.
 * @param {readonly string[]} header
 * @param {readonly (readonly string[])[]} rows
 * @param {readonly ('left' | 'right')[]} [alignment] per column. @default all left
 */
export function formatTable(header, rows, alignment = []) {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (/** @type {readonly string[]} */ cells) =>
    cells
      .map((cell, column) =>
        alignment[column] === 'right' ? cell.padStart(widths[column] ?? 0) : cell.padEnd(widths[column] ?? 0),
      )
      .join('  ')
      .trimEnd();
  return [line(header), widths.map((width) => '-'.repeat(width)).join('  '), ...rows.map(line)].join('\n');
}

/**
 * 12345 -> "12.1 kB" (1 kB = 1024 bytes, as npm prints it).
 * @param {number} bytes
 */
export function formatBytes(bytes) {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} kB`;
  return `${(bytes / 1024 / 1024).toFixed(2)} MB`;
}

/**
 * Indents every line of a multi-line detail for the failure list.
 * @param {string} text
 * @param {string} [prefix] @default '      '
 */
export function indent(text, prefix = '      ') {
  return text
    .split('\n')
    .map((line) => `${prefix}${line}`)
    .join('\n');
}
