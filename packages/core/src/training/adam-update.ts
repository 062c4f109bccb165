import * as tf from '@tensorflow/tfjs-core';

/**
 * Name of the optional one-kernel Adam update. A backend that registers a kernel under this name (as
 * `@dcgan/backend` does on wasm) gets each variable's update as one kernel call instead of tfjs-core's 14
 * kernels and 6 uploaded scalars; other backends run tfjs-core's `AdamOptimizer.applyGradients`.
 *
 * The kernel's contract, all float32 and every operation rounded to float32 in this order (which is
 * tfjs-core 4.22's Adam, op by op, so the results are the same bit for bit):
 *
 * - inputs `x` (the variable), `gradient`, `m`, `v` (same shape), `c1`, `c2` (scalars: 1 - β1^t, 1 - β2^t);
 * - attributes `beta1`, `beta2`, `epsilon`, `learningRate` (numbers);
 * - outputs [x', m', v'] with
 *   m' = m·β1 + g·(1 - β1), v' = v·β2 + g²·(1 - β2),
 *   x' = ((m' / c1) / (sqrt(v' / c2) + ε))·(-learningRate) + x,
 *   where β1, 1 - β1, β2, 1 - β2, ε and -learningRate are first rounded to float32.
 */
export const adamUpdateKernelName = 'DcganAdamUpdate';

/** The attributes of {@link adamUpdateKernelName}. */
export interface AdamUpdateAttributes {
  readonly beta1: number;
  readonly beta2: number;
  readonly epsilon: number;
  readonly learningRate: number;
}

/** The fields of tfjs-core 4.22's AdamOptimizer that its applyGradients reads and writes. */
interface AdamFields {
  learningRate: number;
  beta1: number;
  beta2: number;
  epsilon: number;
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  accumulatedSecondMoment: Array<{ originalName: string; variable: tf.Variable } | undefined>;
  incrementIterations(): void;
}

function adamFields(optimizer: tf.AdamOptimizer): AdamFields | undefined {
  const fields = optimizer as unknown as Partial<AdamFields>;
  const numbers = [fields.learningRate, fields.beta1, fields.beta2, fields.epsilon];
  if (
    numbers.some((value) => typeof value !== 'number') ||
    typeof fields.accBeta1?.assign !== 'function' ||
    typeof fields.accBeta2?.assign !== 'function' ||
    !Array.isArray(fields.accumulatedFirstMoment) ||
    !Array.isArray(fields.accumulatedSecondMoment) ||
    typeof fields.incrementIterations !== 'function'
  )
    return undefined;
  return fields as AdamFields;
}

/**
 * `optimizer.applyGradients(gradients)` with each variable's update as one {@link adamUpdateKernelName}
 * kernel where the active backend has it (the same values bit for bit, the same optimizer state: moments,
 * running products and iteration count, so checkpoints are unchanged); tfjs-core's own update elsewhere,
 * and for anything but float32 variables.
 */
export function applyAdamGradients(
  optimizer: tf.AdamOptimizer,
  gradients: ReadonlyArray<{ name: string; tensor: tf.Tensor }>,
): void {
  const fields = adamFields(optimizer);
  const usable =
    fields !== undefined &&
    tf.getKernel(adamUpdateKernelName, tf.getBackend()) !== undefined &&
    gradients.every(({ name, tensor }) => {
      const variable = tf.engine().registeredVariables[name];
      return variable?.dtype === 'float32' && tensor.dtype === 'float32';
    });
  if (!usable) {
    optimizer.applyGradients([...gradients]);
    return;
  }
  const attributes: AdamUpdateAttributes = {
    beta1: fields.beta1,
    beta2: fields.beta2,
    epsilon: fields.epsilon,
    learningRate: fields.learningRate,
  };
  tf.tidy(() => {
    const c1 = tf.sub(1, fields.accBeta1);
    const c2 = tf.sub(1, fields.accBeta2);
    gradients.forEach(({ name, tensor: gradient }, index) => {
      const value = tf.engine().registeredVariables[name] as tf.Variable;
      // Created as tfjs-core creates them (names and order), so getWeights/setWeights see the same state.
      fields.accumulatedFirstMoment[index] ??= {
        originalName: `${name}/m`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      fields.accumulatedSecondMoment[index] ??= {
        originalName: `${name}/v`,
        variable: tf.tidy(() => tf.zerosLike(value).variable(false)),
      };
      const firstMoment = fields.accumulatedFirstMoment[index].variable;
      const secondMoment = fields.accumulatedSecondMoment[index].variable;
      const [newValue, newFirstMoment, newSecondMoment] = tf
        .engine()
        .runKernel(
          adamUpdateKernelName,
          { x: value, gradient, m: firstMoment, v: secondMoment, c1, c2 },
          attributes as unknown as tf.NamedAttrMap,
        ) as tf.Tensor[];
      firstMoment.assign(newFirstMoment as tf.Tensor);
      secondMoment.assign(newSecondMoment as tf.Tensor);
      value.assign(newValue as tf.Tensor);
    });
    fields.accBeta1.assign(tf.mul(fields.accBeta1, fields.beta1));
    fields.accBeta2.assign(tf.mul(fields.accBeta2, fields.beta2));
  });
  fields.incrementIterations();
}
