import { ProtobufWriter } from './protobuf-writer';

/*
 * TensorBoard's `Event` and `Summary` messages (tensorflow/core/util/event.proto and
 * tensorflow/core/framework/summary.proto; TensorBoard keeps copies under tensorboard/compat/proto), the
 * fields this writer uses:
 *
 *   Event   { double wall_time = 1; int64 step = 2;
 *             oneof what { string file_version = 3; Summary summary = 5; SessionLog session_log = 7; } }
 *   Summary { repeated Value value = 1; }
 *   Summary.Value { string tag = 1; oneof value { float simple_value = 2; Image image = 4; } }
 *   Summary.Image { int32 height = 1; int32 width = 2; int32 colorspace = 3; bytes encoded_image_string = 4; }
 *   SessionLog { SessionStatus status = 1; }   (START = 1)
 */

/** The version string of the first record of every event file. */
export const eventFileVersion = 'brain.Event:2';

/** One scalar or image of a summary. */
export type SummaryValue =
  | { readonly tag: string; readonly scalar: number }
  | {
      readonly tag: string;
      readonly image: {
        readonly encoded: Uint8Array;
        readonly width: number;
        readonly height: number;
        readonly colorspace: number;
      };
    };

function event(wallTimeSeconds: number, step: number | undefined): ProtobufWriter {
  const writer = new ProtobufWriter().double(1, wallTimeSeconds);
  if (step !== undefined && step !== 0) writer.int64(2, step); // proto3 leaves out zero values
  return writer;
}

/** The `file_version` event that opens an event file. */
export function fileVersionEvent(wallTimeSeconds: number): Uint8Array {
  return event(wallTimeSeconds, undefined).string(3, eventFileVersion).finish();
}

/** An event holding one summary with `values`. */
export function summaryEvent(wallTimeSeconds: number, step: number, values: readonly SummaryValue[]): Uint8Array {
  const summary = new ProtobufWriter();
  for (const value of values) {
    const entry = new ProtobufWriter().string(1, value.tag);
    if ('scalar' in value) entry.float(2, value.scalar);
    else {
      const { encoded, width, height, colorspace } = value.image;
      entry.message(4, new ProtobufWriter().int64(1, height).int64(2, width).int64(3, colorspace).bytes(4, encoded));
    }
    summary.message(1, entry);
  }
  return event(wallTimeSeconds, step).message(5, summary).finish();
}

/**
 * A `SessionLog` START event at `step`: TensorBoard then drops the points of earlier files at `step` and
 * after, so a run resumed from an older checkpoint shows one curve, not two overlapping ones.
 */
export function sessionStartEvent(wallTimeSeconds: number, step: number): Uint8Array {
  return event(wallTimeSeconds, step).message(7, new ProtobufWriter().int64(1, 1)).finish();
}
