import { runAsProcess } from '@dcgan/probe-app/run-probe-command';

import { svhnPreset } from './preset.js';

runAsProcess(svhnPreset);
