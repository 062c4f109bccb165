export * from './svm';
