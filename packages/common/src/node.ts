export {
  errorCode,
  fs,
  randomSuffix,
  removeIfPresent,
  syncDirectory,
  writeFileAtomic,
  writeNewFileDurably,
  type FileContents,
} from './node/durable-files';
