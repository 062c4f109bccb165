/**
 * Every command of the repository answers `--version` (its package's name and version, exit 0) and refuses an
 * unknown option with one line and exit 2: each workspace package's `bin` entries, spawned as built, plus
 * gpu-check's script (a folder tool without a bin). Published packages (packages/*) have no bin: libraries
 * never print.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { runScript } from '@dcgan/vitest-config/run-script';
import { describe, expect, it } from 'vitest';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');

interface Manifest {
  readonly name: string;
  readonly version: string;
  readonly bin?: Readonly<Record<string, string>>;
}

function packagesIn(group: string): { readonly directory: string; readonly manifest: Manifest }[] {
  return readdirSync(join(root, group))
    .map((name) => join(root, group, name))
    .filter((directory) => existsSync(join(directory, 'package.json')))
    .map((directory) => ({
      directory,
      manifest: JSON.parse(readFileSync(join(directory, 'package.json'), 'utf8')) as Manifest,
    }));
}

const commands = [...packagesIn('apps'), ...packagesIn('tooling'), ...packagesIn('deploy')].flatMap(
  ({ directory, manifest }) =>
    Object.entries(manifest.bin ?? {}).map(([command, file]) => ({ command, script: join(directory, file), manifest })),
);
const gpuCheck = packagesIn('tooling').find(({ manifest }) => manifest.name === '@dcgan/gpu-check')!;
commands.push({
  command: 'dcgan-gpu-check',
  script: join(gpuCheck.directory, 'src', 'gpu-check.mjs'),
  manifest: gpuCheck.manifest,
});

describe('the command line of every CLI', () => {
  it('finds the CLIs (and no bin in a published package)', () => {
    expect(commands.map(({ command }) => command).sort()).toEqual(
      expect.arrayContaining([
        'dcgan-dedup',
        'dcgan-explorer',
        'dcgan-faces',
        'dcgan-latent',
        'dcgan-probe',
        'dcgan-probe-cifar10',
        'dcgan-probe-svhn',
        'dcgan-train',
        'dcgan-train-faces',
      ]),
    );
    expect(
      packagesIn('packages')
        .filter(({ manifest }) => manifest.bin !== undefined)
        .map(({ manifest }) => manifest.name),
    ).toEqual([]);
  });

  describe.concurrent.each(commands)('$command', ({ script, manifest }) => {
    it('is built', () => {
      expect(existsSync(script), `${script}: build it first (pnpm build)`).toBe(true);
    });

    it('prints its name and version for --version, exit 0', async () => {
      const result = await runScript(script, ['--version']);
      expect(result).toEqual({ code: 0, signal: null, stdout: `${manifest.name} ${manifest.version}\n`, stderr: '' });
    }, 60_000);

    it('refuses an unknown option with one line, exit 2', async () => {
      const result = await runScript(script, ['--no-such-option']);
      expect(result.code).toBe(2);
      expect(result.stdout).toBe('');
      expect(result.stderr).toMatch(/^[\w-]+: error: Unknown option '--no-such-option' \(see --help\)\n$/);
    }, 60_000);
  });
});
