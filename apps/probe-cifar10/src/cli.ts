import { runAsProcess } from '@dcgan/probe-app/run-probe-command';

import { cifar10Preset } from './preset.js';

runAsProcess(cifar10Preset);
