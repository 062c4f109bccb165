import { runAsProcess } from './run-probe-command.js';

runAsProcess({ programName: 'dcgan-probe' });
