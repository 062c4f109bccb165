import { stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';

import { preview } from 'vite';

import { modelPlugin } from './model-route.js';

/** Options of {@link startExplorerServer}. */
export interface ExplorerServerOptions {
  /** Folder of the exported generator (`model.json` + weights). */
  readonly modelDirectory: string;
  /** Folder of the built page (`vite build` output, `dist/web`). */
  readonly webDirectory: string;
  /**
   * Port; the next free one is taken when it is busy.
   * @default 5173
   */
  readonly port?: number;
  /**
   * Address to listen on; `true` for all interfaces.
   * @default 'localhost'
   */
  readonly host?: string | boolean;
}

/** A running explorer. */
export interface ExplorerServer {
  readonly url: string;
  close(): Promise<void>;
}

/** Serves the built page and the generator (under `/model/`) with Vite's preview server. */
export async function startExplorerServer(options: ExplorerServerOptions): Promise<ExplorerServer> {
  const index = join(options.webDirectory, 'index.html');
  if (!(await stat(index).catch(() => null))?.isFile()) {
    throw new Error(`${index} does not exist: build the page first (pnpm --filter @dcgan/explorer build)`);
  }
  const server = await preview({
    configFile: false,
    root: dirname(options.webDirectory),
    logLevel: 'warn',
    build: { outDir: options.webDirectory },
    preview: { port: options.port ?? 5173, strictPort: false, host: options.host ?? 'localhost', open: false },
    plugins: [modelPlugin(options.modelDirectory)],
  });
  const url = server.resolvedUrls?.local[0] ?? `http://localhost:${options.port ?? 5173}/`;
  return {
    url,
    close: () => server.close(),
  };
}
