// @ts-check
import ts from 'typescript';

/**
 * @typedef {object} FencedBlock
 * @property {string} language the info string's first word, lower-cased ('' when none)
 * @property {string} code
 */

/**
 * The fenced code blocks of a Markdown document, in order (``` and ~~~ fences, up to 3 spaces indent).
 * @param {string} markdown
 * @returns {FencedBlock[]}
 */
export function extractFencedBlocks(markdown) {
  /** @type {FencedBlock[]} */
  const blocks = [];
  const lines = markdown.split(/\r?\n/);
  for (let index = 0; index < lines.length; index += 1) {
    const opening = /^ {0,3}(`{3,}|~{3,})\s*([^\s`]*)/.exec(lines[index] ?? '');
    if (opening === null) continue;
    const fence = opening[1] ?? '```';
    const body = [];
    let closed = false;
    for (index += 1; index < lines.length; index += 1) {
      const line = lines[index] ?? '';
      if (new RegExp(`^ {0,3}${fence[0] === '`' ? '`' : '~'}{${fence.length},}\\s*$`).test(line)) {
        closed = true;
        break;
      }
      body.push(line);
    }
    if (closed) blocks.push({ language: (opening[2] ?? '').toLowerCase(), code: body.join('\n') });
  }
  return blocks;
}

const shellLanguages = new Set(['', 'sh', 'bash', 'shell', 'console', 'zsh', 'shellsession']);
const exampleLanguages = new Set(['ts', 'typescript', 'js', 'javascript', 'mjs', 'mts']);

/**
 * The package arguments of the README's first `npm install` line: `npm i <a> <b> --save` gives
 * `['<a>', '<b>']`. Flags are dropped.
 * @param {readonly FencedBlock[]} blocks
 * @returns {string[] | undefined} undefined when the README has no such line
 */
export function findInstallArguments(blocks) {
  for (const block of blocks) {
    if (!shellLanguages.has(block.language)) continue;
    for (const line of block.code.split('\n')) {
      const match = /^\s*(?:\$\s+)?npm\s+(?:install|i|add)\s+(.+?)\s*$/.exec(line);
      if (match?.[1] !== undefined) {
        return match[1]
          .replace(/\s+#.*$/, '')
          .split(/\s+/)
          .filter((word) => word.length > 0 && !word.startsWith('-'));
      }
    }
  }
  return undefined;
}

/**
 * The README's first example: its first TypeScript or JavaScript block.
 * @param {readonly FencedBlock[]} blocks
 * @returns {FencedBlock | undefined}
 */
export function findFirstExample(blocks) {
  return blocks.find((block) => exampleLanguages.has(block.language));
}

/**
 * Splits an example into its top-level import declarations and the rest, so the rest can be wrapped in
 * an async function for CommonJS (which has no top-level await).
 * @param {string} code
 */
export function splitImports(code) {
  const source = ts.createSourceFile('example.ts', code, ts.ScriptTarget.ES2022, true, ts.ScriptKind.TS);
  const imports = [];
  const body = [];
  for (const statement of source.statements) {
    const text = code.slice(statement.getFullStart(), statement.getEnd());
    if (ts.isImportDeclaration(statement) || ts.isImportEqualsDeclaration(statement)) imports.push(text.trim());
    else body.push(text);
  }
  const trailing = code.slice(source.statements.at(-1)?.getEnd() ?? 0);
  return { imports: imports.join('\n'), body: `${body.join('')}${trailing}`.replace(/^\n+/, '') };
}

/**
 * The example as a CommonJS TypeScript module (`.cts`): imports stay at the top (TypeScript turns them
 * into `require` calls), the statements run inside `main()`.
 * @param {string} code
 */
export function toCommonJsExample(code) {
  const { imports, body } = splitImports(code);
  const indented = body
    .split('\n')
    .map((line) => (line.length > 0 ? `  ${line}` : line))
    .join('\n');
  return `${imports}\n\nasync function main(): Promise<void> {\n${indented}\n}\n\nmain().catch((error: unknown) => {\n  console.error(error);\n  process.exitCode = 1;\n});\n`;
}

/**
 * Type-strips an example for Node: ESM keeps `import`, CommonJS gets `require`.
 * @param {string} code TypeScript (or JavaScript) source
 * @param {'esm' | 'commonjs'} format
 */
export function transpileExample(code, format) {
  return ts.transpileModule(code, {
    compilerOptions: {
      target: ts.ScriptTarget.ES2022,
      module: format === 'esm' ? ts.ModuleKind.ESNext : ts.ModuleKind.CommonJS,
      esModuleInterop: true,
      verbatimModuleSyntax: false,
    },
    reportDiagnostics: false,
  }).outputText;
}
