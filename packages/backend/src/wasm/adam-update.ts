import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import {
  Add,
  Multiply,
  RealDiv,
  Sqrt,
  Square,
  type KernelConfig,
  type KernelFunc,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

import { heapOffset, simdKernels } from './simd-module.js';
import { WasmKernelRunner, sizeOf, wasmBackendName } from './wasm-kernel-toolkit.js';

/**
 * The kernel name @dcgan/core's Trainer looks for (`adamUpdateKernelName` there; a test checks that the two
 * agree). This package does not depend on @dcgan/core, so the name is written here again.
 */
export const adamUpdateKernelName = 'DcganAdamUpdate';

interface AdamUpdateInputs {
  x: TensorInfo;
  gradient: TensorInfo;
  m: TensorInfo;
  v: TensorInfo;
  c1: TensorInfo;
  c2: TensorInfo;
}

interface AdamUpdateAttributes {
  beta1: number;
  beta2: number;
  epsilon: number;
  learningRate: number;
}

/** Float32 scalar tensors on the wasm heap by backend and value (the optimizer's handful of constants). */
const scalars = new Map<number, TensorInfo>();
let scalarBackend: BackendWasm | undefined;

function scalarOn(runner: WasmKernelRunner, value: number): TensorInfo {
  if (scalarBackend !== runner.backend) {
    // A new backend (a restart with another thread count) freed the old heap.
    scalars.clear();
    scalarBackend = runner.backend;
  }
  const rounded = Math.fround(value);
  let tensor = scalars.get(rounded);
  if (tensor === undefined) {
    tensor = runner.allocate([]);
    runner.view(tensor)[0] = rounded;
    scalars.set(rounded, tensor);
  }
  return tensor;
}

/** Frees the scalar tensors the Adam update keeps on the wasm heap. */
export function clearAdamScalars(): void {
  const backend = scalarBackend;
  // A backend that was disposed (removeBackend, a thread-count change) freed its heap already.
  if (backend !== undefined && (backend as { wasm?: unknown }).wasm != null) {
    for (const tensor of scalars.values()) if (backend.dataIdMap.has(tensor.dataId)) backend.disposeData(tensor.dataId);
  }
  scalars.clear();
}

/**
 * One Adam step for one variable: [x', m', v'] from x, the gradient, the moments and the bias corrections
 * c1 = 1 - β1^t, c2 = 1 - β2^t, with the float32 operations of tfjs-core 4.22's AdamOptimizer in its order
 * (hence the same bits), in one pass of our SIMD module (see simd-module.ts) where it loads: one read of
 * four arrays and one write of three, where tfjs-core runs 14 kernels per variable, each a full pass and an
 * engine call, and uploads six scalars. Without the module, the same 14 wasm kernels are called directly
 * (no engine bookkeeping, constants uploaded once).
 */
function adamUpdate(args: {
  inputs: AdamUpdateInputs;
  backend: BackendWasm;
  attrs: AdamUpdateAttributes;
}): TensorInfo[] {
  const { inputs, backend, attrs } = args;
  const { x, gradient, m, v, c1, c2 } = inputs;
  for (const [name, tensor] of Object.entries(inputs)) {
    if (tensor.dtype !== 'float32')
      throw new Error(`Expected ${adamUpdateKernelName} input \`${name}\` to be float32, got ${tensor.dtype}.`);
    const scalar = name === 'c1' || name === 'c2';
    if (scalar ? sizeOf(tensor.shape) !== 1 : tensor.shape.join() !== x.shape.join())
      throw new Error(
        `Expected ${adamUpdateKernelName} input \`${name}\` to have shape ${scalar ? '[] (one value)' : `[${x.shape.join(', ')}]`}, got [${tensor.shape.join(', ')}].`,
      );
  }
  const { beta1, beta2, epsilon, learningRate } = attrs;
  const kernels = simdKernels(backend);
  if (kernels !== undefined) {
    const outputs = [x, m, v].map((tensor) => backend.makeOutput([...tensor.shape], 'float32'));
    const [newValue, newFirstMoment, newSecondMoment] = outputs as [TensorInfo, TensorInfo, TensorInfo];
    const offset = (tensor: TensorInfo) => heapOffset(backend, tensor.dataId);
    const scalar = (tensor: TensorInfo) => (backend.typedArrayFromHeap(tensor) as Float32Array)[0] as number;
    const fround = Math.fround;
    kernels.adam(
      offset(x),
      offset(gradient),
      offset(m),
      offset(v),
      offset(newValue),
      offset(newFirstMoment),
      offset(newSecondMoment),
      sizeOf(x.shape),
      scalar(c1),
      scalar(c2),
      fround(beta1),
      fround(1 - beta1),
      fround(beta2),
      fround(1 - beta2),
      fround(epsilon),
      fround(-learningRate),
    );
    return outputs;
  }
  const runner = new WasmKernelRunner(backend);
  const temporaries: TensorInfo[] = [];
  const op = (kernelName: string, a: TensorInfo, b?: TensorInfo): TensorInfo => {
    const result = runner.run(kernelName, b === undefined ? { x: a } : { a, b });
    temporaries.push(result);
    return result;
  };
  try {
    // newFirstMoment = m·β1 + g·(1 - β1); newSecondMoment = v·β2 + g²·(1 - β2)
    const newFirstMoment = op(
      Add,
      op(Multiply, m, scalarOn(runner, beta1)),
      op(Multiply, gradient, scalarOn(runner, 1 - beta1)),
    );
    const newSecondMoment = op(
      Add,
      op(Multiply, v, scalarOn(runner, beta2)),
      op(Multiply, op(Square, gradient), scalarOn(runner, 1 - beta2)),
    );
    // x' = ((m' / c1) / (sqrt(v' / c2) + ε))·(-learningRate) + x
    const ratio = op(
      RealDiv,
      op(RealDiv, newFirstMoment, c1),
      op(Add, op(Sqrt, op(RealDiv, newSecondMoment, c2)), scalarOn(runner, epsilon)),
    );
    const newValue = op(Add, op(Multiply, ratio, scalarOn(runner, -learningRate)), x);
    const outputs = [newValue, newFirstMoment, newSecondMoment];
    runner.dispose(...temporaries.filter((tensor) => !outputs.includes(tensor)));
    return outputs;
  } catch (error) {
    runner.dispose(...temporaries);
    throw error;
  }
}

export const adamUpdateConfig: KernelConfig = {
  kernelName: adamUpdateKernelName,
  backendName: wasmBackendName,
  kernelFunc: adamUpdate as unknown as KernelFunc,
};
