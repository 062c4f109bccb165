import { createConfig } from '@dcgan/vitest-config';

export default createConfig();
