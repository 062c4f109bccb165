import type { FastDecodeRequest } from '../fast-decode';

/** What the pool sends a worker: one image (its bytes transferred) and the resize to do. */
export interface DecodeRequestMessage {
  readonly id: number;
  readonly bytes: Uint8Array;
  readonly request: FastDecodeRequest;
}

/** What a worker answers: the pixels (transferred), or why it declined. */
export type DecodeResultMessage =
  | {
      readonly id: number;
      readonly ok: true;
      readonly width: number;
      readonly height: number;
      readonly channels: 3;
      readonly scale: number;
      readonly data: Uint8Array;
    }
  | { readonly id: number; readonly ok: false; readonly reason: string };
