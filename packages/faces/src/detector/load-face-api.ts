import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import vm from 'node:vm';

import * as tf from '@tensorflow/tfjs-core';

import { FacesError } from '../errors/faces-error';

/** A face box as face-api reports it, in the pixels of the tensor it was given. */
export interface FaceApiDetection {
  readonly score: number;
  readonly box: { readonly x: number; readonly y: number; readonly width: number; readonly height: number };
}

/** The part of a face-api network this package uses. */
export interface FaceApiNetwork {
  loadFromDisk(directory: string): Promise<void>;
  locateFaces(input: tf.Tensor3D, options: unknown): Promise<FaceApiDetection[]>;
  dispose(): void;
}

/** The part of @vladmandic/face-api this package uses. */
export interface FaceApiModule {
  readonly SsdMobilenetv1: new () => FaceApiNetwork;
  readonly SsdMobilenetv1Options: new (options: { minConfidence: number; maxResults: number }) => unknown;
  readonly TinyFaceDetector: new () => FaceApiNetwork;
  readonly TinyFaceDetectorOptions: new (options: { inputSize: number; scoreThreshold: number }) => unknown;
  readonly version: string;
}

const faceApiPackage = '@vladmandic/face-api';
// face-api's build for pure-JS backends. Its other Node build requires @tensorflow/tfjs-node, which cannot install
// without downloading libtensorflow.
const faceApiBuild = `${faceApiPackage}/dist/face-api.node-wasm.js`;

let loaded: FaceApiModule | undefined;

/** Where the detector weights that ship in the @vladmandic/face-api package live. */
export function faceApiModelDirectory(): string {
  const require = createRequire(import.meta.url);
  return join(dirname(require.resolve(`${faceApiPackage}/package.json`)), 'model');
}

/**
 * Loads face-api's Node build against this install's single @tensorflow/tfjs-core.
 *
 * face-api 1.7 does `require('@tensorflow/tfjs')` and `require('@tensorflow/tfjs-backend-wasm')` without declaring
 * either, so under pnpm they resolve only by luck of hoisting. We evaluate its CommonJS build with a `require` that
 * answers those two from this package: @tensorflow/tfjs (pinned to 4.22.0, so it shares tfjs-core with everything
 * else; face-api needs the tensor methods such as `as3D` that only this umbrella registers) and, for the wasm
 * backend, nothing: @dcgan/backend (or the caller) owns backend choice, face-api only re-exports that package.
 */
export function loadFaceApi(): FaceApiModule {
  if (loaded !== undefined) return loaded;
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve(faceApiBuild);
  } catch (error) {
    throw new FacesError(`Cannot find ${faceApiBuild}: install ${faceApiPackage} 1.7.15 next to @dcgan/faces`, {
      cause: error,
    });
  }
  const umbrella = require('@tensorflow/tfjs') as typeof tf;
  if (umbrella.engine() !== tf.engine()) {
    throw new FacesError(
      'Two copies of @tensorflow/tfjs-core are installed (@tensorflow/tfjs brought its own): pin every @tensorflow/* package to 4.22.0',
    );
  }
  const faceApiRequire = createRequire(file);
  const requireForFaceApi = (specifier: string): unknown => {
    if (specifier === '@tensorflow/tfjs') return umbrella;
    if (specifier === '@tensorflow/tfjs-backend-wasm') return {};
    return faceApiRequire(specifier);
  };
  const module = { exports: {} as Record<string, unknown> };
  try {
    const source = readFileSync(file, 'utf8');
    const evaluate = vm.compileFunction(source, ['exports', 'require', 'module', '__filename', '__dirname'], {
      filename: file,
    });
    evaluate(module.exports, requireForFaceApi, module, file, dirname(file));
  } catch (error) {
    throw new FacesError(`${file}: cannot load face-api: ${(error as Error).message}`, { cause: error, file });
  }
  const faceApi = module.exports as unknown as FaceApiModule;
  if (typeof faceApi.SsdMobilenetv1 !== 'function' || typeof faceApi.TinyFaceDetector !== 'function') {
    throw new FacesError(
      `${file}: face-api loaded but exports no SsdMobilenetv1/TinyFaceDetector; expected ${faceApiPackage} 1.7.x`,
      { file },
    );
  }
  loaded = faceApi;
  return faceApi;
}
