import {
  getKernel,
  util,
  type KernelConfig,
  type KernelFunc,
  type NamedAttrMap,
  type TensorInfo,
} from '@tensorflow/tfjs-core';

/** The webgpu kernels that ours replaced, by kernel name; ours delegate to them. */
export const originalWebGpuKernels = new Map<string, KernelConfig>();

/** The smallest inner dimension at which tfjs-backend-webgpu 4.22 may pick its split-K program. */
const splitKInnerSize = 2000;

/**
 * tfjs-backend-webgpu 4.22 multiplies wrongly when it picks its split-K program (one matrix, an inner
 * dimension of 2000 or more, few output tiles) for `transposeB` with sizes that allow vec4 reads: the
 * program's vec4 test ignores `transposeB` (its packed program excludes it), so B is read across rows.
 * DCGAN meets this in the gradient of G's projection, dy [batch, 16 * 8 * base] times W^T (relative error ~1).
 * Here B is transposed explicitly first in that case, and the stock kernel runs with `transposeB: false`.
 */
function withExplicitTransposeB(kernelName: 'BatchMatMul' | '_FusedMatMul'): KernelConfig {
  const kernelFunc: KernelFunc = ({ inputs, backend, attrs }) => {
    const original = originalWebGpuKernels.get(kernelName);
    if (original === undefined)
      throw new Error(
        `Expected the stock webgpu kernel \`${kernelName}\` to have been kept by registerWebGpuTrainingKernels()`,
      );
    const a = inputs.a as TensorInfo;
    const b = inputs.b as TensorInfo;
    const { transposeA, transposeB } = attrs as { transposeA: boolean; transposeB: boolean };
    const innerSize = transposeB ? b.shape[b.shape.length - 1]! : 0;
    const batch = Math.max(util.sizeFromShape(a.shape.slice(0, -2)), util.sizeFromShape(b.shape.slice(0, -2)));
    if (!transposeB || batch !== 1 || innerSize < splitKInnerSize)
      return original.kernelFunc({ inputs, backend, attrs });
    const transpose = getKernel('Transpose', 'webgpu');
    if (transpose === undefined) throw new Error('Expected the webgpu backend to have kernel `Transpose`');
    const rank = b.shape.length;
    const perm = [...Array.from({ length: rank - 2 }, (_, axis) => axis), rank - 1, rank - 2];
    const bTransposed = transpose.kernelFunc({ inputs: { x: b }, backend, attrs: { perm } }) as TensorInfo;
    try {
      return original.kernelFunc({
        inputs: { ...inputs, b: bTransposed },
        backend,
        attrs: { ...attrs, transposeA, transposeB: false } as unknown as NamedAttrMap,
      });
    } finally {
      (backend as { disposeData(dataId: object): void }).disposeData(bTransposed.dataId);
    }
  };
  return { kernelName, backendName: 'webgpu', kernelFunc };
}

export const batchMatMulConfig = withExplicitTransposeB('BatchMatMul');
export const fusedMatMulConfig = withExplicitTransposeB('_FusedMatMul');
