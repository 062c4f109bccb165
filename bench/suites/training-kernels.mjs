// Per-kernel timings on the wasm backend for the layers of a 32px DCGAN (base width 32, batch 16): the
// stock @tensorflow/tfjs-backend-wasm 4.22 kernel (where it has one) against @dcgan/backend's training
// kernel, with the forward convolution of the same layer and tfjs's cpu kernel for scale. Calls alternate
// between variants and each row reports the fastest of its repetitions (least disturbed by other work on a
// shared machine).
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const suite = 'training-kernels';

export async function run({ quick }) {
  const requireFromBackend = createRequire(join(root, 'packages', 'backend', 'package.json'));
  const tf = requireFromBackend('@tensorflow/tfjs-core');
  requireFromBackend('@tensorflow/tfjs-backend-wasm');
  requireFromBackend('@tensorflow/tfjs-backend-cpu');
  const { registerWasmTrainingKernels } = await import(join(root, 'packages', 'backend', 'dist', 'index.js'));
  await tf.setBackend('cpu');
  await tf.setBackend('wasm');
  const stock = new Map(
    ['Conv2DBackpropInput', 'BatchMatMul', 'Tile'].map((name) => [name, tf.getKernel(name, 'wasm').kernelFunc]),
  );
  registerWasmTrainingKernels();
  const wasmBackend = tf.findBackend('wasm');
  const cpuBackend = tf.findBackend('cpu');
  const repetitions = quick ? 3 : 10;
  const rows = [];

  const time = (backend, kernelFunc, inputs, attrs) => {
    const began = performance.now();
    const output = kernelFunc({ inputs, backend, attrs });
    const elapsed = performance.now() - began;
    backend.disposeData(output.dataId);
    return elapsed;
  };
  const onBoth = (shapes) => {
    const wasmTensors = {};
    const cpuTensors = {};
    for (const [name, shape] of Object.entries(shapes)) {
      const values = tf.tidy(() => tf.randomUniform(shape, -1, 1, 'float32', 3).dataSync());
      tf.setBackend('wasm');
      wasmTensors[name] = tf.tensor(values, shape);
      tf.setBackend('cpu');
      cpuTensors[name] = tf.tensor(values, shape);
      tf.setBackend('wasm');
    }
    return { wasmTensors, cpuTensors };
  };
  const measure = (layer, kernelName, shapes, _attributes, variants) => {
    const { wasmTensors, cpuTensors } = onBoth(shapes);
    const best = new Map();
    for (let repetition = 0; repetition < repetitions + 1; repetition++) {
      for (const [label, run] of Object.entries(variants)) {
        const elapsed = run(wasmTensors, cpuTensors);
        if (repetition > 0) best.set(label, Math.min(best.get(label) ?? Number.POSITIVE_INFINITY, elapsed));
      }
    }
    const ours = best.get('ours');
    for (const [label, milliseconds] of best) {
      const note =
        label === 'ours' || ours === undefined
          ? undefined
          : label.startsWith('wasm forward') || label.startsWith('ours,')
            ? `ours takes ${(ours / milliseconds).toFixed(2)}x this`
            : `ours is ${(milliseconds / ours).toFixed(1)}x faster`;
      rows.push({
        suite,
        name: `${kernelName} ${layer}: ${label}`,
        value: milliseconds,
        unit: 'ms',
        ...(note ? { note } : {}),
      });
    }
    tf.dispose([...Object.values(wasmTensors), ...Object.values(cpuTensors)]);
  };

  const cpuOnce = (kernelName, inputs, attrs) =>
    time(cpuBackend, tf.getKernel(kernelName, 'cpu').kernelFunc, inputs, attrs);
  const includeCpu = !quick;

  // G's transposed convolutions (its forward pass) and D's input gradients.
  for (const [dy, filter, output] of [
    [
      [16, 4, 4, 128],
      [4, 4, 64, 128],
      [16, 8, 8, 64],
    ],
    [
      [16, 8, 8, 64],
      [4, 4, 32, 64],
      [16, 16, 16, 32],
    ],
    [
      [16, 16, 16, 32],
      [4, 4, 3, 32],
      [16, 32, 32, 3],
    ],
  ]) {
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', inputShape: output };
    const layer = `${dy.slice(1).join('x')} -> ${output.slice(1).join('x')}`;
    const forwardAttrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
    measure(layer, 'Conv2DBackpropInput', { dy, filter, x: output }, attrs, {
      ours: (w) =>
        time(
          wasmBackend,
          tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc,
          { dy: w.dy, filter: w.filter },
          attrs,
        ),
      'ours, new weights each call': (w) => {
        const fresh = tf.clone(w.filter);
        const elapsed = time(
          wasmBackend,
          tf.getKernel('Conv2DBackpropInput', 'wasm').kernelFunc,
          { dy: w.dy, filter: fresh },
          attrs,
        );
        fresh.dispose();
        return elapsed;
      },
      'stock wasm': (w) => time(wasmBackend, stock.get('Conv2DBackpropInput'), { dy: w.dy, filter: w.filter }, attrs),
      'wasm forward Conv2D of the same layer': (w) =>
        time(wasmBackend, tf.getKernel('Conv2D', 'wasm').kernelFunc, { x: w.x, filter: w.filter }, forwardAttrs),
      ...(includeCpu ? { cpu: (_, c) => cpuOnce('Conv2DBackpropInput', { dy: c.dy, filter: c.filter }, attrs) } : {}),
    });
  }

  // Filter gradients of D's convolutions and G's transposed convolutions.
  for (const [x, dy, filterShape] of [
    [
      [16, 32, 32, 3],
      [16, 16, 16, 32],
      [4, 4, 3, 32],
    ],
    [
      [16, 16, 16, 32],
      [16, 8, 8, 64],
      [4, 4, 32, 64],
    ],
    [
      [16, 8, 8, 64],
      [16, 4, 4, 128],
      [4, 4, 64, 128],
    ],
  ]) {
    const attrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', filterShape };
    const forwardAttrs = { strides: [2, 2], pad: 'same', dataFormat: 'NHWC', dilations: [1, 1] };
    measure(
      `${x.slice(1).join('x')} -> ${dy.slice(1).join('x')}`,
      'Conv2DBackpropFilter',
      { x, dy, filter: filterShape },
      attrs,
      {
        ours: (w) =>
          time(wasmBackend, tf.getKernel('Conv2DBackpropFilter', 'wasm').kernelFunc, { x: w.x, dy: w.dy }, attrs),
        'wasm forward Conv2D of the same layer': (w) =>
          time(wasmBackend, tf.getKernel('Conv2D', 'wasm').kernelFunc, { x: w.x, filter: w.filter }, forwardAttrs),
        ...(includeCpu ? { cpu: (_, c) => cpuOnce('Conv2DBackpropFilter', { x: c.x, dy: c.dy }, attrs) } : {}),
      },
    );
  }

  // G's projection (dense z -> 4x4x128): its weight and input gradients.
  for (const [a, b, transposeA, transposeB] of [
    [[1, 16, 100], [1, 16, 2048], true, false],
    [[1, 16, 2048], [1, 100, 2048], false, true],
  ]) {
    const attrs = { transposeA, transposeB };
    measure(
      `${a.join('x')}${transposeA ? 'T' : ''} . ${b.join('x')}${transposeB ? 'T' : ''}`,
      'BatchMatMul',
      { a, b },
      attrs,
      {
        ours: (w) => time(wasmBackend, tf.getKernel('BatchMatMul', 'wasm').kernelFunc, { a: w.a, b: w.b }, attrs),
        'stock wasm': (w) => time(wasmBackend, stock.get('BatchMatMul'), { a: w.a, b: w.b }, attrs),
      },
    );
  }

  // Batch norm's gradient tiles 1/sqrt(variance) to the activation's shape.
  for (const [shape, reps] of [
    [
      [1, 1, 1, 32],
      [16, 16, 16, 1],
    ],
    [
      [1, 1, 1, 64],
      [16, 8, 8, 1],
    ],
  ]) {
    measure(
      `${shape.join('x')} by ${reps.join('x')}`,
      'Tile',
      { x: shape },
      { reps },
      {
        ours: (w) => time(wasmBackend, tf.getKernel('Tile', 'wasm').kernelFunc, { x: w.x }, { reps }),
        'stock wasm': (w) => time(wasmBackend, stock.get('Tile'), { x: w.x }, { reps }),
      },
    );
  }
  return rows;
}
