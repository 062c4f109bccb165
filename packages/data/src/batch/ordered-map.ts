/** The outcome of mapping one input: its value, or the error it threw. */
export type Settled<Input, Output> =
  | { readonly ok: true; readonly input: Input; readonly value: Output }
  | { readonly ok: false; readonly input: Input; readonly error: unknown };

/**
 * Maps `inputs` through an async function with up to `window` calls started ahead of the consumer, and yields the
 * results in input order. Keeps decoding (on worker threads and libuv's thread pool) going while the consumer is busy
 * with a training step. Never rejects because one input failed: failures are yielded as `{ ok: false }`.
 */
export async function* orderedMap<Input, Output>(
  inputs: Iterable<Input> | AsyncIterable<Input>,
  map: (input: Input) => Promise<Output>,
  window: number,
): AsyncGenerator<Settled<Input, Output>> {
  const pending: Promise<Settled<Input, Output>>[] = [];
  const start = (input: Input): Promise<Settled<Input, Output>> =>
    map(input).then(
      (value) => ({ ok: true as const, input, value }),
      (error: unknown) => ({ ok: false as const, input, error }),
    );
  const iterator =
    Symbol.asyncIterator in inputs ? inputs[Symbol.asyncIterator]() : (inputs as Iterable<Input>)[Symbol.iterator]();
  let exhausted = false;
  const fill = async (): Promise<void> => {
    while (!exhausted && pending.length < window) {
      const next = await iterator.next();
      if (next.done === true) {
        exhausted = true;
        break;
      }
      pending.push(start(next.value));
    }
  };
  try {
    await fill();
    while (pending.length > 0) {
      const result = await pending.shift()!;
      await fill();
      yield result;
    }
  } finally {
    if (!exhausted) await iterator.return?.();
  }
}
