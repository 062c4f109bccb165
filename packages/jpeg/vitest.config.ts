import { createConfig } from '@dcgan/vitest-config';

// The pool starts the built worker (dist/jpeg-worker.js) even when the tests import the TypeScript sources:
// test/build-once.ts builds the package first when dist/ is missing or older than src/.
export default createConfig({ globalSetup: ['test/build-once.ts'] });
