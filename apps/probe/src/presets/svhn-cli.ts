import { runAsProcess } from '../run-probe-command.js';

import { svhnPreset } from './svhn-preset.js';

runAsProcess(svhnPreset);
