import { readFileSync, realpathSync } from 'node:fs';
import { dirname, join } from 'node:path';

/**
 * `<name> <version>` of the package whose bin is running: the nearest package.json above the script node was
 * started with (`process.argv[1]`, links resolved), so each bin reports its own package without a build step.
 *
 * @example versionText() // '@dcgan/dedup-app 0.1.0'
 */
export function versionText(script: string = process.argv[1] ?? ''): string {
  let folder = dirname(realpathSync(script));
  for (;;) {
    try {
      const { name, version } = JSON.parse(readFileSync(join(folder, 'package.json'), 'utf8')) as {
        name?: string;
        version?: string;
      };
      return `${name ?? '(unnamed)'} ${version ?? '(no version)'}`;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    const parent = dirname(folder);
    if (parent === folder) throw new Error(`no package.json above ${script}`);
    folder = parent;
  }
}

/**
 * True (after printing {@link versionText} on stdout) when `argv` asks for `--version` before any `--`; the
 * caller then exits 0.
 */
export function printVersionIfAsked(argv: readonly string[], stdout: NodeJS.WritableStream = process.stdout): boolean {
  const end = argv.indexOf('--');
  if (!(end === -1 ? argv : argv.slice(0, end)).includes('--version')) return false;
  stdout.write(`${versionText()}\n`);
  return true;
}
