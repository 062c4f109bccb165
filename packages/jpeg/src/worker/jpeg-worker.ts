// The decode worker thread of JpegWorkerPool: built by tsup as its own entry (dist/jpeg-worker.js and
// dist/jpeg-worker.cjs) and started by the pool from the file next to the pool's own module.
import { parentPort } from 'node:worker_threads';

import { createJpegDecoder } from '../decoder/jpeg-decoder';
import { createFastDecode, type FastDecodeResult } from '../fast-decode';
import { createResampler } from '../resample';
import type { DecodeRequestMessage, DecodeResultMessage } from './messages';

const port = parentPort;
if (port === null)
  throw new Error('@dcgan/jpeg: jpeg-worker is the thread JpegWorkerPool starts; it does not run on its own');
const decode = createFastDecode(createJpegDecoder(), createResampler());

port.on('message', (message: DecodeRequestMessage) => {
  let result: FastDecodeResult;
  try {
    result = decode(message.bytes, message.request);
  } catch (error) {
    result = { ok: false, reason: `decoder error: ${(error as Error | undefined)?.message}` };
  }
  if (result.ok) {
    const answer: DecodeResultMessage = {
      id: message.id,
      ok: true,
      width: result.width,
      height: result.height,
      channels: result.channels,
      scale: result.scale,
      data: result.data,
    };
    port.postMessage(answer, [result.data.buffer as ArrayBuffer]);
  } else {
    const answer: DecodeResultMessage = { id: message.id, ok: false, reason: result.reason };
    port.postMessage(answer);
  }
});
