export {
  errorCode,
  fs,
  randomSuffix,
  removeIfPresent,
  syncDirectory,
  writeFileAtomic,
  writeNewFileDurably,
  type FileContents,
  type WriteFileAtomicOptions,
} from './node/durable-files';
