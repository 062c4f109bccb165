import { backendPreferenceList, isBackendPreference, type BackendPreference } from '@dcgan/backend';

import { UsageError } from './usage-error';

/**
 * Reads `--backend` (default `auto`).
 *
 * @example backendOption(values.backend) // 'auto' when absent; UsageError "Expected `--backend` to be one of auto | ..., got `gpu`"
 */
export function backendOption(raw: string | undefined): BackendPreference {
  const backend = raw ?? 'auto';
  if (!isBackendPreference(backend))
    throw new UsageError(`Expected \`--backend\` to be one of ${backendPreferenceList}, got \`${backend}\``);
  return backend;
}
