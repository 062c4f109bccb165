import { createHash } from 'node:crypto';

import type { RawImage } from '@dcgan/data';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';

import { DedupError } from '../errors/dedup-error';
import { codeBytesOf, packThresholded } from '../group/binary-code';
import type { HasherInputShape, ImageHasher } from '../hash/image-hasher';
import { inputSizeOf, resolveArchitecture, type SemanticHasherArchitecture } from './semantic-hasher-architecture';

/** The four weight arrays of the autoencoder, row-major. */
export interface SemanticHasherWeights {
  /** [inputSize, codeBits] */
  readonly encoderKernel: Float32Array;
  /** [codeBits] */
  readonly encoderBias: Float32Array;
  /** [codeBits, inputSize] */
  readonly decoderKernel: Float32Array;
  /** [inputSize] */
  readonly decoderBias: Float32Array;
}

/** Options of {@link SemanticHasher.create}. */
export interface CreateSemanticHasherOptions {
  readonly architecture?: Partial<SemanticHasherArchitecture>;
  /** Seed of the initial weights. @default 0 */
  readonly seed?: number;
  /** Start from these weights instead of random ones. */
  readonly weights?: SemanticHasherWeights;
  /** Free-form facts about how it was trained, kept in the hasher file. @default {} */
  readonly training?: Readonly<Record<string, unknown>>;
}

/**
 * The paper's semantic hasher (section 4.1.1): a denoising, dropout-regularised ReLU autoencoder
 * (3072-128-3072 for 32x32 RGB) whose code-layer ReLU activations, thresholded, are the hash bits. Images are
 * scaled to [0, 1]. Create it untrained with {@link SemanticHasher.create}, train it with `trainSemanticHasher`,
 * keep it with `saveSemanticHasher` / `loadSemanticHasher`, and `dispose()` it when done.
 *
 * @example
 * const hasher = SemanticHasher.create({ architecture: { codeBits: 128 } });
 * const codes = await hasher.hashImages(images); // 16 bytes per image
 */
export class SemanticHasher implements ImageHasher {
  readonly kind = 'semantic';
  readonly architecture: SemanticHasherArchitecture;
  readonly codeBits: number;
  readonly inputShape: HasherInputShape;
  readonly inputSize: number;
  /** How the hasher was trained (epochs, noise, ...), as saved in its file. */
  training: Readonly<Record<string, unknown>>;
  /** Dense ReLU code layer (inputSize -> codeBits). */
  readonly encoder: tfl.layers.Layer;
  /** Dense linear reconstruction layer (codeBits -> inputSize). */
  readonly decoder: tfl.layers.Layer;
  private disposed = false;

  private constructor(architecture: SemanticHasherArchitecture, seed: number, training: Readonly<Record<string, unknown>>) {
    this.architecture = architecture;
    this.codeBits = architecture.codeBits;
    this.inputSize = inputSizeOf(architecture);
    this.inputShape = { width: architecture.imageWidth, height: architecture.imageHeight, channels: architecture.channels };
    this.training = training;
    this.encoder = tfl.layers.dense({
      units: architecture.codeBits,
      activation: 'relu',
      useBias: architecture.encoderBias,
      kernelInitializer: tfl.initializers.glorotUniform({ seed }),
      // A small positive bias keeps code units alive at the start: units that never fire are constant bits.
      biasInitializer: tfl.initializers.constant({ value: 0.1 }),
    });
    this.decoder = tfl.layers.dense({
      units: this.inputSize,
      kernelInitializer: tfl.initializers.glorotUniform({ seed: seed + 1 }),
    });
    // Calling the layers once builds their weights (and lets `dispose()` free them).
    tf.tidy(() => {
      this.decoder.apply(this.encoder.apply(tf.zeros([1, this.inputSize])));
    });
  }

  /**
   * A new hasher with random (seeded) or given weights.
   *
   * @example
   * const hasher = SemanticHasher.create({ architecture: { imageWidth: 16, imageHeight: 16, channels: 1, codeBits: 32 }, seed: 1 });
   */
  static create(options: CreateSemanticHasherOptions = {}): SemanticHasher {
    const architecture = resolveArchitecture(options.architecture);
    const seed = options.seed ?? 0;
    if (!Number.isInteger(seed)) throw new DedupError(`Expected \`seed\` to be an integer, got \`${seed}\``);
    const hasher = new SemanticHasher(architecture, seed, options.training ?? {});
    if (options.weights !== undefined) hasher.setWeights(options.weights);
    return hasher;
  }

  /** Expected length of each weight array. */
  weightSizes(): Record<keyof SemanticHasherWeights, number> {
    const { inputSize, codeBits } = this;
    return { encoderKernel: inputSize * codeBits, encoderBias: codeBits, decoderKernel: codeBits * inputSize, decoderBias: inputSize };
  }

  /** Copies the weights out of the tensors (synchronously: not on the webgpu backend; see `readWeights`). */
  getWeights(): SemanticHasherWeights {
    this.assertUsable();
    return this.weightsFrom([...this.encoder.getWeights(), ...this.decoder.getWeights()].map((tensor) => tensor.dataSync() as Float32Array));
  }

  /** Copies the weights out of the tensors on any backend (a GPU backend reads asynchronously). */
  async readWeights(): Promise<SemanticHasherWeights> {
    this.assertUsable();
    const tensors = [...this.encoder.getWeights(), ...this.decoder.getWeights()];
    return this.weightsFrom(await Promise.all(tensors.map(async (tensor) => (await tensor.data()) as Float32Array)));
  }

  private weightsFrom(values: Float32Array[]): SemanticHasherWeights {
    const encoderCount = this.encoder.getWeights().length;
    const [encoderKernel, encoderBias = new Float32Array(this.codeBits)] = values.slice(0, encoderCount);
    const [decoderKernel, decoderBias] = values.slice(encoderCount);
    return { encoderKernel: encoderKernel!, encoderBias, decoderKernel: decoderKernel!, decoderBias: decoderBias! };
  }

  /** Replaces the weights; each array must have its exact size. */
  setWeights(weights: SemanticHasherWeights): void {
    this.assertUsable();
    const sizes = this.weightSizes();
    for (const name of Object.keys(sizes) as (keyof SemanticHasherWeights)[]) {
      const values = weights[name];
      if (!(values instanceof Float32Array) || values.length !== sizes[name]) {
        throw new DedupError(`Expected \`${name}\` to be a Float32Array of ${sizes[name]} values, got ${values instanceof Float32Array ? values.length : typeof values}`);
      }
    }
    if (!this.architecture.encoderBias && weights.encoderBias.some((value) => value !== 0)) {
      throw new DedupError('Expected `encoderBias` to be all zeros for a hasher whose code layer has no bias (`encoderBias: false`)');
    }
    const { inputSize, codeBits } = this;
    tf.tidy(() => {
      const encoderKernel = tf.tensor2d(weights.encoderKernel, [inputSize, codeBits]);
      this.encoder.setWeights(this.architecture.encoderBias ? [encoderKernel, tf.tensor1d(weights.encoderBias)] : [encoderKernel]);
      this.decoder.setWeights([tf.tensor2d(weights.decoderKernel, [codeBits, inputSize]), tf.tensor1d(weights.decoderBias)]);
    });
  }

  /** The variables training updates. */
  trainableVariables(): tf.Variable[] {
    return [...this.encoder.trainableWeights, ...this.decoder.trainableWeights].map((weight) => weight.read() as tf.Variable);
  }

  /** A digest of the architecture and weights: two hashers with the same fingerprint give the same codes. */
  async fingerprint(): Promise<string> {
    const digest = createHash('sha256');
    const { imageWidth, imageHeight, channels, codeBits, threshold, encoderBias } = this.architecture;
    digest.update(JSON.stringify({ kind: this.kind, imageWidth, imageHeight, channels, codeBits, threshold, encoderBias }));
    const weights = await this.readWeights();
    for (const values of [weights.encoderKernel, weights.encoderBias]) digest.update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
    return `semantic-${digest.digest('hex').slice(0, 24)}`;
  }

  /** Code-layer ReLU activations of a [n, inputSize] batch in [0, 1]. The caller owns the result. */
  encode(inputs: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    return this.encoder.apply(inputs) as tf.Tensor2D;
  }

  /** Reconstruction of a [n, codeBits] code batch. The caller owns the result. */
  decode(codes: tf.Tensor2D): tf.Tensor2D {
    this.assertUsable();
    return this.decoder.apply(codes) as tf.Tensor2D;
  }

  /** Images as a [n, inputSize] float array in [0, 1]; each must have the hasher's shape. */
  imagesToInputs(images: readonly RawImage[]): Float32Array {
    const { width, height, channels } = this.inputShape;
    const inputs = new Float32Array(images.length * this.inputSize);
    images.forEach((image, index) => {
      if (image.width !== width || image.height !== height || image.channels !== channels) {
        throw new DedupError(`Expected image ${index} to be ${width}x${height}x${channels} (the hasher's input), got ${image.width}x${image.height}x${image.channels}`);
      }
      const offset = index * this.inputSize;
      for (let value = 0; value < this.inputSize; value += 1) inputs[offset + value] = image.data[value]! / 255;
    });
    return inputs;
  }

  /** Code-layer activations of images, [n * codeBits] row-major. */
  async activations(images: readonly RawImage[]): Promise<Float32Array> {
    if (images.length === 0) return new Float32Array(0);
    const inputs = this.imagesToInputs(images);
    const activations = tf.tidy(() => this.encode(tf.tensor2d(inputs, [images.length, this.inputSize])));
    try {
      return (await activations.data()) as Float32Array;
    } finally {
      activations.dispose();
    }
  }

  async hashImages(images: readonly RawImage[]): Promise<Uint8Array> {
    if (images.length === 0) return new Uint8Array(0);
    return packThresholded(await this.activations(images), images.length, this.codeBits, this.architecture.threshold, new Uint8Array(images.length * codeBytesOf(this.codeBits)));
  }

  /** Frees the weights. The hasher cannot be used afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.encoder.dispose();
    this.decoder.dispose();
  }

  private assertUsable(): void {
    if (this.disposed) throw new DedupError('This SemanticHasher was disposed');
  }
}
