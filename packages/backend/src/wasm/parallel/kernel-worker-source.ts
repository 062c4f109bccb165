/**
 * The source of the worker thread that runs the second half of split wasm kernels. It is evaluated
 * (`new Worker(source, { eval: true })`) rather than loaded from a file so that the same code runs from the
 * built package (ESM and CJS) and from the TypeScript sources under test. It only needs stock tfjs: the
 * main thread sends it plain stock-kernel calls (`Conv2D`, `FusedConv2D`) on half a batch.
 *
 * Protocol (see `KernelWorker`): `control[0]` is 0 when idle; the main thread posts a
 * request on the port, sets it to 1 and notifies; the worker, which waits for exactly 1, reads the request
 * with `receiveMessageOnPort`, runs the kernel, writes the output into its output buffer, posts the reply,
 * sets `control[0]` to 2 (done) or 3 (failed) and notifies; the main thread takes the reply and sets 0. Each
 * value has one writer, so a thread descheduled at any point cannot lose a hand-off. 4 means the thread has
 * exited. The worker blocks in `Atomics.wait` between requests and is unref'd, so it never
 * keeps a process alive.
 */
export const kernelWorkerSource = String.raw`
'use strict';
function main(require) {
const { workerData, parentPort, receiveMessageOnPort } = require('node:worker_threads');
const tf = require(workerData.tfjsCorePath);
require(workerData.tfjsBackendWasmPath);
const { control, port } = workerData;
const cached = new Map();
let output = new Float32Array(new SharedArrayBuffer(4));
// However this thread ends (an uncaught error, terminate()), wake a main thread that may be waiting on it.
process.on('exit', () => { Atomics.store(control, 0, 4); Atomics.notify(control, 0); });

function size(shape) { let product = 1; for (const dimension of shape) product *= dimension; return product; }

function serve(request) {
  for (const key of request.release) { const tensor = cached.get(key); if (tensor !== undefined) { tensor.dispose(); cached.delete(key); } }
  const inputs = {};
  const temporary = [];
  for (const input of request.inputs) {
    let tensor = input.key === undefined ? undefined : cached.get(input.key);
    if (tensor === undefined) {
      tensor = tf.tensor(request.buffer.subarray(input.offset, input.offset + size(input.shape)), input.shape, 'float32');
      if (input.key === undefined) temporary.push(tensor); else cached.set(input.key, tensor);
    }
    inputs[input.name] = tensor;
  }
  const result = tf.engine().runKernel(request.kernelName, inputs, request.attrs);
  temporary.push(result);
  try {
    const values = tf.backend().typedArrayFromHeap(result);
    if (output.length < values.length) output = new Float32Array(new SharedArrayBuffer(values.length * 4 * 2));
    output.set(values);
    return { output, shape: result.shape, length: values.length, cached: cached.size };
  } finally {
    tf.dispose(temporary);
  }
}

tf.setBackend('wasm').then(async () => {
  await tf.ready();
  parentPort.postMessage({ type: 'ready' });
  for (;;) {
    // Only the main thread sets 1 (a request), and only after it has taken the previous reply and set 0.
    for (let state = Atomics.load(control, 0); state !== 1; state = Atomics.load(control, 0)) Atomics.wait(control, 0, state);
    let received;
    // The request is posted before control[0] is set, so it is there; wait 1 ms at a time if not yet visible.
    while ((received = receiveMessageOnPort(port)) === undefined) Atomics.wait(control, 1, 0, 1);
    const request = received.message;
    try {
      port.postMessage(serve(request));
      Atomics.store(control, 0, 2);
    } catch (error) {
      port.postMessage({ error: String(error && error.stack || error) });
      Atomics.store(control, 0, 3);
    }
    Atomics.notify(control, 0);
  }
  port.close();
}, (error) => { parentPort.postMessage({ type: 'failed', error: String(error && error.stack || error) }); });
}
// Eval'd worker code is CommonJS, or an ES module when the process runs with --input-type=module (no require).
if (typeof require === 'function') main(require);
else import('node:module').then(({ createRequire }) => main(createRequire(process.cwd() + '/')));
`;
