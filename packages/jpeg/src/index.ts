export { createJpegDecoder } from './decoder/jpeg-decoder';
export type { JpegDecoder, JpegDecodeResult, JpegHeaderResult, ScaledJpeg } from './decoder/types';
export { createResampler, type Resample, type ResampleBox } from './resample';
export { createFastDecode, type FastDecode, type FastDecodeRequest, type FastDecodeResult } from './fast-decode';
export { JpegWorkerPool, type JpegWorkerStats } from './pool/jpeg-worker-pool';
export { configureJpegDecoding, jpegDecodingStats, jpegWorkerPool, type JpegDecodingOptions } from './pool/shared-pool';
