import { runAsProcess } from '../run-probe-command.js';

import { cifar10Preset } from './cifar10-preset.js';

runAsProcess(cifar10Preset);
