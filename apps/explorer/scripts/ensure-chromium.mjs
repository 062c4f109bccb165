// Makes sure the explorer's browser test has a Chromium to drive (playwright-core brings no browser).
// Runs before `vitest run` in this package's `test` script, so CI (`.ci/run`: root on a clean Debian
// machine with apt) installs Debian's chromium itself. Where it cannot (not root, no apt-get), it says
// so loudly; the browser test then skips outside CI and fails in CI (CI=true).
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const candidates = [
  process.env.CHROMIUM_PATH,
  '/usr/bin/chromium',
  '/usr/bin/chromium-browser',
  '/usr/bin/google-chrome',
  '/usr/bin/google-chrome-stable',
].filter(Boolean);
const found = () => candidates.find((path) => existsSync(path));
const banner = (lines) =>
  process.stderr.write(`\n${'!'.repeat(78)}\n${lines.map((line) => `!! ${line}`).join('\n')}\n${'!'.repeat(78)}\n\n`);

if (found()) {
  process.stdout.write(`explorer browser test: using ${found()}\n`);
  process.exit(0);
}
const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
const hasApt = existsSync('/usr/bin/apt-get');
if (!isRoot || !hasApt) {
  banner([
    'No Chromium found, and this machine cannot install one here',
    `(${!hasApt ? 'no apt-get' : 'not root'}). The explorer's browser test will be SKIPPED${process.env.CI ? ' -- and FAIL, since CI is set' : ''}.`,
    'Install one (Debian/Ubuntu: sudo apt-get install -y chromium) or set CHROMIUM_PATH.',
  ]);
  process.exit(0);
}
process.stdout.write("explorer browser test: installing Debian's chromium with apt-get (once per machine)...\n");
const environment = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
// Another install may hold the dpkg lock; wait for it rather than fail.
const lockWait = ['-o', 'DPkg::Lock::Timeout=600'];
try {
  execFileSync('apt-get', [...lockWait, 'update', '-qq'], { stdio: 'inherit', env: environment });
  execFileSync('apt-get', [...lockWait, 'install', '-y', '-qq', 'chromium'], { stdio: 'inherit', env: environment });
} catch (error) {
  banner([
    `apt-get could not install chromium: ${error.message.split('\n')[0]}`,
    `The explorer's browser test will be SKIPPED${process.env.CI ? ' -- and FAIL, since CI is set' : ''}.`,
  ]);
  process.exit(process.env.CI ? 1 : 0);
}
if (!found()) {
  banner(['apt-get finished but no chromium binary is where expected.']);
  process.exit(process.env.CI ? 1 : 0);
}
process.stdout.write(`explorer browser test: installed ${found()}\n`);
