import { readFile } from 'node:fs/promises';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';

import type { Plugin } from 'vite';

/** File names a tfjs layers export holds (`model.json`, `weights.bin`, `group1-shard1of2.bin`...): no paths. */
const fileNamePattern = /^[\w.-]+\.(json|bin)$/;

/**
 * Serves the files of one exported generator folder under `/model/`, read-only, by bare file name:
 * the page loads `model/model.json` and tfjs fetches the weights next to it.
 */
export function modelRoute(modelDirectory: string) {
  return async (request: IncomingMessage, response: ServerResponse, next: (error?: unknown) => void): Promise<void> => {
    let name: string;
    try {
      name = decodeURIComponent(new URL(request.url ?? '/', 'http://localhost').pathname.replace(/^\//, ''));
    } catch {
      // `%zz`: any page open in the browser can send it; it must not take the server down.
      response.statusCode = 400;
      response.end('malformed URL');
      return;
    }
    if (
      (request.method !== 'GET' && request.method !== 'HEAD') ||
      !fileNamePattern.test(name) ||
      name.startsWith('.')
    ) {
      next();
      return;
    }
    try {
      const bytes = await readFile(join(modelDirectory, name));
      response.statusCode = 200;
      response.setHeader('Content-Type', name.endsWith('.json') ? 'application/json' : 'application/octet-stream');
      response.setHeader('Cache-Control', 'no-store');
      response.end(request.method === 'HEAD' ? undefined : bytes);
    } catch {
      response.statusCode = 404;
      response.end(`no ${name} in the generator folder`);
    }
  };
}

/** A Vite plugin mounting {@link modelRoute} at `/model` on the dev and the preview server. */
export function modelPlugin(modelDirectory: string): Plugin {
  return {
    name: 'dcgan-explorer-model',
    configureServer(server) {
      server.middlewares.use('/model', modelRoute(modelDirectory));
    },
    configurePreviewServer(server) {
      server.middlewares.use('/model', modelRoute(modelDirectory));
    },
  };
}
