// Builds dist/dcgan-gpu-check/: gpu-check.mjs (the trainer, @dcgan/backend and tfjs bundled into one file), the
// tfjs wasm binaries, and Dawn's linux-x64 dawn.node from the `webgpu` package, nothing else. Copy the folder to
// a GPU machine and run `node gpu-check.mjs` there: it needs only Node 20+ and a GPU driver.
import { copyFileSync, mkdirSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

import { build } from 'esbuild';

const here = dirname(fileURLToPath(import.meta.url));
const packageRoot = join(here, '..');
const out = join(packageRoot, 'dist', 'dcgan-gpu-check');
const require = createRequire(join(packageRoot, 'package.json'));
const limitBytes = 60 * 1024 * 1024;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'dist', 'linux-x64'), { recursive: true });
mkdirSync(join(out, 'wasm'), { recursive: true });

await build({
  entryPoints: [join(here, 'gpu-check.mjs')],
  outfile: join(out, 'gpu-check.mjs'),
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  legalComments: 'linked',
  logLevel: 'warning',
  // CommonJS parts of tfjs call require() and read __dirname; give them the bundle's.
  banner: {
    js: [
      "import { createRequire as __gpuCheckRequire } from 'node:module';",
      "import { dirname as __gpuCheckDirname } from 'node:path';",
      "import { fileURLToPath as __gpuCheckPath } from 'node:url';",
      'globalThis.require ??= __gpuCheckRequire(import.meta.url);',
      'globalThis.__filename ??= __gpuCheckPath(import.meta.url);',
      'globalThis.__dirname ??= __gpuCheckDirname(globalThis.__filename);',
    ].join('\n'),
  },
});

// Dawn's Node binding for linux-x64 only (the package carries every platform: ~130 MB).
const webgpuRoot = dirname(require.resolve('webgpu/package.json'));
copyFileSync(join(webgpuRoot, 'dist', 'linux-x64', 'dawn.node'), join(out, 'dist', 'linux-x64', 'dawn.node'));
copyFileSync(join(webgpuRoot, 'LICENSE.md'), join(out, 'dist', 'linux-x64', 'LICENSE-webgpu.md'));
const wasmRoot = join(dirname(require.resolve('@tensorflow/tfjs-backend-wasm/package.json')), 'dist');
for (const file of readdirSync(wasmRoot).filter((name) => name.endsWith('.wasm')))
  copyFileSync(join(wasmRoot, file), join(out, 'wasm', file));
// `--version` reads the name and version from the package.json next to the script.
const { name, version } = JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8'));
writeFileSync(
  join(out, 'package.json'),
  `${JSON.stringify({ name, version, private: true, type: 'module' }, null, 2)}\n`,
);
writeFileSync(
  join(out, 'README.txt'),
  `dcgan-gpu-check (built by \`pnpm gpu-check\` in the dcgan-ts repository)

  node gpu-check.mjs            lists WebGPU adapters, then times 64px / base 64 / batch 128 DCGAN training
                                on webgpu and wasm (tensorflow-gpu is native and not bundled: it reports why)
  node gpu-check.mjs --help     options (--steps, --batch-size, --json results.json, ...)

Needs Node 20+ and a GPU driver with Vulkan (NVIDIA's driver ships one; in a container
NVIDIA_DRIVER_CAPABILITIES must include graphics). Dawn here is built for linux-x64 only.
`,
);

const size = (path) =>
  statSync(path).isDirectory()
    ? readdirSync(path).reduce((sum, name) => sum + size(join(path, name)), 0)
    : statSync(path).size;
const bytes = size(out);
process.stdout.write(`gpu-check: built ${out} (${(bytes / 1024 / 1024).toFixed(1)} MiB)\n`);
if (bytes > limitBytes) {
  process.stderr.write(`gpu-check: the folder is ${(bytes / 1024 / 1024).toFixed(1)} MiB, over the 60 MiB limit\n`);
  process.exitCode = 1;
}
