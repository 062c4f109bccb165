// @ts-check
import { spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { dirname, join } from 'node:path';
import { killGroup, trackProcessGroup, untrackProcessGroup } from './run-command.mjs';

const require = createRequire(import.meta.url);

/**
 * @typedef {object} LocalRegistry
 * @property {string} url e.g. `http://127.0.0.1:41234/`
 * @property {string} token an auth token of a user created on it, for publishing
 * @property {string} logFile where Verdaccio's own output goes
 * @property {() => Promise<void>} stop ends Verdaccio and waits until its port is closed
 */

/**
 * Asks the kernel for a free loopback port.
 * @returns {Promise<number>}
 */
export function findFreePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address !== null ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Verdaccio's configuration: storage in `directory`, listening on loopback only, no uplinks (every
 * package it serves was published to it; everything else comes from the real registry through the
 * consumers' own configuration), publishing only for the user this check creates.
 * @param {string} directory
 */
export function verdaccioConfiguration(directory) {
  return [
    `storage: ${JSON.stringify(join(directory, 'storage'))}`,
    'auth:',
    '  htpasswd:',
    `    file: ${JSON.stringify(join(directory, 'htpasswd'))}`,
    '    max_users: 1',
    'uplinks: {}',
    'packages:',
    "  '@dcgan/*':",
    '    access: $all',
    '    publish: $authenticated',
    '    unpublish: $authenticated',
    "  '**':",
    '    access: $all',
    'max_body_size: 200mb',
    'publish:',
    '  allow_offline: true',
    'web:',
    '  enable: false',
    'log: { type: stdout, format: pretty, level: warn }',
    '',
  ].join('\n');
}

/**
 * Is something answering Verdaccio's ping on `url`?
 * @param {string} url
 */
async function answersPing(url) {
  try {
    const response = await fetch(new URL('-/ping', url), { signal: AbortSignal.timeout(2_000) });
    return response.ok;
  } catch {
    return false;
  }
}

/**
 * Starts a throwaway Verdaccio on 127.0.0.1 with its own storage under `directory`, waits until it
 * answers, and creates a user to publish with. The caller must `stop()` it (in a `finally`).
 *
 * @example
 * const registry = await startLocalRegistry(join(temporary, 'registry'));
 * try { ... } finally { await registry.stop(); }
 *
 * @param {string} directory an empty directory for its config, storage and log
 * @returns {Promise<LocalRegistry>}
 */
export async function startLocalRegistry(directory) {
  mkdirSync(directory, { recursive: true });
  const configFile = join(directory, 'config.yaml');
  writeFileSync(configFile, verdaccioConfiguration(directory));
  const logFile = join(directory, 'verdaccio.log');
  const verdaccioBin = join(dirname(require.resolve('verdaccio/package.json')), 'bin', 'verdaccio');

  let lastError = '';
  for (let attempt = 1; attempt <= 3; attempt += 1) {
    const port = await findFreePort();
    const url = `http://127.0.0.1:${port}/`;
    const logDescriptor = openSync(logFile, 'a');
    const child = spawn(process.execPath, [verdaccioBin, '--config', configFile, '--listen', `127.0.0.1:${port}`], {
      cwd: directory,
      detached: true,
      stdio: ['ignore', logDescriptor, logDescriptor],
    });
    closeSync(logDescriptor);
    let exited = false;
    child.on('exit', () => {
      exited = true;
    });
    // If this process dies without reaching `stop()`, take Verdaccio with it.
    const onExit = () => killGroup(child.pid, 'SIGKILL');
    process.on('exit', onExit);
    trackProcessGroup(child.pid);

    const stop = async () => {
      process.off('exit', onExit);
      untrackProcessGroup(child.pid);
      killGroup(child.pid, 'SIGTERM');
      for (let waited = 0; waited < 50 && (!exited || (await answersPing(url))); waited += 1) {
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
      if (!exited || (await answersPing(url))) {
        killGroup(child.pid, 'SIGKILL');
        for (let waited = 0; waited < 20 && (await answersPing(url)); waited += 1) {
          await new Promise((resolve) => setTimeout(resolve, 100));
        }
      }
      if (await answersPing(url)) throw new Error(`Verdaccio on ${url} still answers after SIGKILL`);
    };

    const deadline = Date.now() + 60_000;
    while (!exited && Date.now() < deadline && !(await answersPing(url))) {
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    if (exited || !(await answersPing(url))) {
      await stop();
      lastError = `Verdaccio did not answer on ${url} (attempt ${attempt}); its log:\n${readFileSync(logFile, 'utf8').slice(-3_000)}`;
      continue;
    }

    try {
      const token = await createUser(url);
      return { url, token, logFile, stop };
    } catch (error) {
      await stop();
      throw error;
    }
  }
  throw new Error(lastError);
}

/**
 * Creates the publishing user through the registry's CouchDB-style user API and returns its token.
 * @param {string} url
 */
async function createUser(url) {
  const name = 'release-check';
  const response = await fetch(new URL(`-/user/org.couchdb.user:${name}`, url), {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ name, password: `release-check-${process.pid}-${Date.now()}` }),
  });
  const body = /** @type {{ token?: string, error?: string }} */ (await response.json());
  if (!response.ok || typeof body.token !== 'string') {
    throw new Error(`Could not create a user on ${url}: HTTP ${response.status} ${JSON.stringify(body)}`);
  }
  return body.token;
}
