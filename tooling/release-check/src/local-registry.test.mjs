// @ts-check
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { publishedVersions } from './changesets-flow.mjs';
import { downloadTarball } from './inspect-tarball.mjs';
import { startLocalRegistry } from './local-registry.mjs';
import { runCommand } from './run-command.mjs';

const root = mkdtempSync(join(tmpdir(), 'local-registry-test-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));

/** npm with only this test's settings: no user config, the scope on the local registry. */
function npmEnvironment(/** @type {string} */ userconfig) {
  const environment = Object.fromEntries(
    Object.entries(process.env).filter(([key]) => !key.toLowerCase().startsWith('npm_')),
  );
  return { ...environment, npm_config_userconfig: userconfig, npm_config_update_notifier: 'false' };
}

describe('startLocalRegistry', () => {
  it('serves on loopback, takes a publish only with its token, and is gone after stop()', async () => {
    const registry = await startLocalRegistry(join(root, 'registry'));
    let stopped = false;
    try {
      expect(registry.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
      const host = new URL(registry.url).host;

      const packageDirectory = join(root, 'package');
      mkdirSync(join(packageDirectory, 'dist'), { recursive: true });
      writeFileSync(
        join(packageDirectory, 'package.json'),
        JSON.stringify({ name: '@dcgan/registry-test', version: '1.2.3', files: ['dist'] }),
      );
      writeFileSync(join(packageDirectory, 'dist', 'index.js'), 'module.exports = 42;\n');
      writeFileSync(join(packageDirectory, 'README.md'), '# registry test\n');

      const anonymous = join(root, 'anonymous.npmrc');
      writeFileSync(anonymous, `@dcgan:registry=${registry.url}\n//${host}/:_authToken=not-a-token\n`);
      const refused = await runCommand('npm', ['publish'], {
        cwd: packageDirectory,
        env: npmEnvironment(anonymous),
        timeoutMilliseconds: 60_000,
      });
      expect(refused.code).not.toBe(0);
      expect(await publishedVersions(registry.url, '@dcgan/registry-test')).toEqual([]);

      const authenticated = join(root, 'authenticated.npmrc');
      writeFileSync(authenticated, `@dcgan:registry=${registry.url}\n//${host}/:_authToken=${registry.token}\n`);
      const published = await runCommand('npm', ['publish'], {
        cwd: packageDirectory,
        env: npmEnvironment(authenticated),
        timeoutMilliseconds: 60_000,
      });
      expect(published.code, published.output).toBe(0);
      expect(await publishedVersions(registry.url, '@dcgan/registry-test')).toEqual(['1.2.3']);

      const contents = await downloadTarball(registry.url, '@dcgan/registry-test', '1.2.3', join(root, 'download'));
      expect(contents.files).toEqual(['README.md', 'dist/index.js', 'package.json']);
      expect(contents.packedBytes).toBeGreaterThan(0);

      await registry.stop();
      stopped = true;
      await expect(fetch(new URL('-/ping', registry.url))).rejects.toThrow();
    } finally {
      if (!stopped) await registry.stop();
    }
  });
});
