/** The backends @dcgan/backend can start, fastest first. */
export type BackendName = 'tensorflow-gpu' | 'webgpu' | 'tensorflow' | 'wasm' | 'cpu';

/** What `initBackend` is asked for: one backend, or `auto` for the fastest that works here. */
export type BackendPreference = 'auto' | BackendName;

export const backendNames: readonly BackendName[] = ['tensorflow-gpu', 'webgpu', 'tensorflow', 'wasm', 'cpu'];

/** The choices of a `--backend` option, for help texts and errors: `auto | tensorflow-gpu | webgpu | ...`. */
export const backendPreferenceList = ['auto', ...backendNames].join(' | ');

/** The npm package that provides each backend. */
export const backendPackages: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': '@tensorflow/tfjs-node-gpu',
  webgpu: '@tensorflow/tfjs-backend-webgpu',
  tensorflow: '@tensorflow/tfjs-node',
  wasm: '@tensorflow/tfjs-backend-wasm',
  cpu: '@tensorflow/tfjs-backend-cpu',
};

/** The name each backend registers with tfjs-core (`tf.getBackend()`). */
export const tfjsBackendNames: Readonly<Record<BackendName, string>> = {
  'tensorflow-gpu': 'tensorflow',
  webgpu: 'webgpu',
  tensorflow: 'tensorflow',
  wasm: 'wasm',
  cpu: 'cpu',
};

/** Version every @tensorflow/* package must have: they pin each other exactly. */
export const tfjsVersion = '4.22.0';

export function isBackendPreference(value: unknown): value is BackendPreference {
  return value === 'auto' || backendNames.includes(value as BackendName);
}
