export { DcganError, instanceCheck, type DcganErrorOptions, type InstanceCheck } from './errors/dcgan-error';
export {
  createPermutation,
  createSeededRandom,
  mulberry32,
  randomInteger,
  shuffleInPlace,
  type SeededRandom,
} from './random/seeded-random';
export { deriveSeed, mixSeed } from './random/seed-mixing';
