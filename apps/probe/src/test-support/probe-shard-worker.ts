// dcgan-probe as one pod of a Kubernetes Indexed Job would run it: its own process, JOB_COMPLETION_INDEX and
// JOB_COMPLETIONS in the environment (set by the test), the arguments in PROBE_TEST_ARGV.
import '@tensorflow/tfjs-backend-cpu';

import { runAsProcess } from '../run-probe-command.js';

const delay = Number(process.env.PROBE_TEST_DELAY_MS ?? 0);
if (delay > 0) {
  // Slows the run down (a sleep after every progress line) so a test can kill it mid-way.
  const write = process.stderr.write.bind(process.stderr);
  process.stderr.write = ((chunk: string | Uint8Array, ...rest: never[]) => {
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, delay);
    return write(chunk, ...rest);
  }) as typeof process.stderr.write;
}
process.argv = [...process.argv.slice(0, 2), ...(JSON.parse(process.env.PROBE_TEST_ARGV!) as string[])];
runAsProcess({ programName: 'dcgan-probe' });
