// One thread of @tensorflow/tfjs-backend-wasm's threaded SIMD build under Node (see
// src/wasm/threads/threaded-wasm-module.ts). Emscripten starts each pthread as `new Worker(file)`; tfjs hands it a
// blob: URL that Node refuses, so @dcgan/backend hands it this file instead, which runs tfjs's own worker script.
// That script keeps its string literals' line breaks as `\n` escapes only once escaped again (tfjs does the
// same before making its Blob). It is evaluated here, not globally, so that it sees this module's `require`.
'use strict';
const {
  wasmWorkerContents,
} = require('@tensorflow/tfjs-backend-wasm/wasm-out/tfjs-backend-wasm-threaded-simd.worker.js');
// biome-ignore lint/security/noGlobalEval: Emscripten's worker source must run in this module's scope (see above).
eval(wasmWorkerContents.replace(/\n/g, '\\n'));
