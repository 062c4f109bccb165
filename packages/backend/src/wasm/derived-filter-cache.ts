import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { DataId, TensorInfo } from '@tensorflow/tfjs-core';

/** Entries kept at most; the oldest is freed first. A DCGAN step touches about a dozen filters. */
const maximumEntries = 32;

interface Entry {
  readonly backend: BackendWasm;
  readonly source: DataId;
  readonly key: string;
  readonly derived: Array<TensorInfo | undefined>;
}

/**
 * Filters derived from a weight tensor (e.g. a transposed convolution's flipped sub-filters), kept while
 * the weight tensor lives so that repeated calls with the same weights (D's input gradient runs for the
 * real batch, the fakes, and again in G's update) reuse them. That matters beyond the
 * copy: wasm's Conv2D caches its XNNPACK operator, with packed weights, per filter tensor, and packing a
 * fresh filter costs as much as the convolution itself on small layers.
 *
 * Entries whose weight tensor has been freed are released at the next lookup; at most
 * {@link maximumEntries} are held. The derived tensors live on the wasm heap but are not engine tensors, so
 * they do not appear in `tf.memory().numTensors`.
 */
export class DerivedFilterCache {
  private readonly entries: Entry[] = [];

  /** The derived tensors of `source` for `key`, made by `derive` on a miss. */
  get(
    backend: BackendWasm,
    source: TensorInfo,
    key: string,
    derive: () => Array<TensorInfo | undefined>,
  ): ReadonlyArray<TensorInfo | undefined> {
    this.releaseStale();
    const index = this.entries.findIndex(
      (entry) => entry.source === source.dataId && entry.key === key && entry.backend === backend,
    );
    if (index >= 0) {
      const [entry] = this.entries.splice(index, 1);
      this.entries.push(entry as Entry);
      return (entry as Entry).derived;
    }
    const derived = derive();
    this.entries.push({ backend, source: source.dataId, key, derived });
    while (this.entries.length > maximumEntries) release(this.entries.shift() as Entry);
    return derived;
  }

  /** Frees every derived tensor. */
  clear(): void {
    for (const entry of this.entries.splice(0)) release(entry);
  }

  /** Entries held (for tests). */
  get size(): number {
    return this.entries.length;
  }

  private releaseStale(): void {
    for (let index = this.entries.length - 1; index >= 0; index--) {
      const entry = this.entries[index] as Entry;
      if (!entry.backend.dataIdMap.has(entry.source)) {
        this.entries.splice(index, 1);
        release(entry);
      }
    }
  }
}

function release(entry: Entry): void {
  // A backend that was disposed (removeBackend, a thread-count change) freed its heap already.
  if ((entry.backend as { wasm?: unknown }).wasm == null) return;
  for (const tensor of entry.derived) {
    if (tensor !== undefined && entry.backend.dataIdMap.has(tensor.dataId)) entry.backend.disposeData(tensor.dataId);
  }
}
