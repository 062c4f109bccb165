import { createRequire } from 'node:module';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import nodeUtil from 'node:util';

/** Loads a module by name, and when this package cannot see it, as the user's project (cwd) sees it. */
export type ModuleImporter = (specifier: string) => Promise<unknown>;

export const importModule: ModuleImporter = async (specifier) => {
  try {
    return await import(specifier);
  } catch (error) {
    if (!isModuleNotFound(error, specifier)) throw error;
    // Optional peers installed in the app, not next to this package (pnpm's strict layout, global CLIs).
    const requireFromProject = createRequire(join(process.cwd(), 'package.json'));
    let resolved: string;
    try {
      resolved = requireFromProject.resolve(specifier);
    } catch {
      throw error;
    }
    return import(pathToFileURL(resolved).href);
  }
};

export function isModuleNotFound(error: unknown, specifier: string): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  const message = String((error as { message?: unknown }).message ?? '');
  if (!message.includes(specifier)) return false;
  // Node says ERR_MODULE_NOT_FOUND / MODULE_NOT_FOUND; bundler-style loaders (vite, vitest) only say it in words.
  return (
    code === 'ERR_MODULE_NOT_FOUND' ||
    code === 'MODULE_NOT_FOUND' ||
    /Could not resolve|Cannot find (module|package)/.test(message)
  );
}

/**
 * Node 23 removed the legacy `util.isXxx` helpers that tfjs-node 4.22 calls at its first op
 * (`util.isNullOrUndefined is not a function`). Put back the ones that are missing; returns their names.
 */
export function restoreLegacyUtilHelpers(): string[] {
  const util = nodeUtil as unknown as Record<string, unknown>;
  const helpers: Record<string, (value: unknown) => boolean> = {
    isArray: Array.isArray,
    isBoolean: (value) => typeof value === 'boolean',
    isBuffer: (value) => Buffer.isBuffer(value),
    isDate: (value) => value instanceof Date,
    isError: (value) => value instanceof Error,
    isFunction: (value) => typeof value === 'function',
    isNull: (value) => value === null,
    isNullOrUndefined: (value) => value === null || value === undefined,
    isNumber: (value) => typeof value === 'number',
    isObject: (value) => typeof value === 'object' && value !== null,
    isPrimitive: (value) => value === null || (typeof value !== 'object' && typeof value !== 'function'),
    isRegExp: (value) => value instanceof RegExp,
    isString: (value) => typeof value === 'string',
    isSymbol: (value) => typeof value === 'symbol',
    isUndefined: (value) => value === undefined,
  };
  const restored: string[] = [];
  for (const [name, helper] of Object.entries(helpers)) {
    if (typeof util[name] !== 'function') {
      util[name] = helper;
      restored.push(name);
    }
  }
  return restored;
}
