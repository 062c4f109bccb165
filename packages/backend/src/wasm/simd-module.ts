import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/*
 * A few element-wise loops as our own WebAssembly SIMD module, run on the tfjs wasm backend's own memory (the
 * module imports it), so they read and write tensors in place. Each replaces a chain of tfjs kernels that
 * would each make a full pass over the data (and an engine call, and a temporary tensor): here one pass.
 * The arithmetic is WebAssembly's f32 / f32x4 arithmetic, IEEE float32 with round to nearest, the same as
 * XNNPACK's kernels and tfjs's cpu backend give for the same operations in the same order.
 *
 * The module is assembled here from opcodes (a hundred bytes; no build step, no binary in the package).
 */

const i32 = 0x7f;
const f32 = 0x7d;
const v128 = 0x7b;

/** Opcodes used below (WebAssembly core 2.0, SIMD prefixed by 0xfd). */
const op = {
  block: 0x02,
  loop: 0x03,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Load: 0x2a,
  f32Store: 0x38,
  i32Const: 0x41,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32And: 0x71,
  i32Shl: 0x74,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Mul: 0x94,
  f32Div: 0x95,
} as const;
const simd = { load: 0x00, store: 0x0b, splat: 0x13, sqrt: 0xe3, add: 0xe4, mul: 0xe6, div: 0xe7 } as const;

function unsigned(value: number): number[] {
  const bytes: number[] = [];
  do {
    let byte = value & 0x7f;
    value >>>= 7;
    if (value !== 0) byte |= 0x80;
    bytes.push(byte);
  } while (value !== 0);
  return bytes;
}

function signed(value: number): number[] {
  const bytes: number[] = [];
  for (;;) {
    const byte = value & 0x7f;
    value >>= 7;
    const done = (value === 0 && (byte & 0x40) === 0) || (value === -1 && (byte & 0x40) !== 0);
    bytes.push(done ? byte : byte | 0x80);
    if (done) return bytes;
  }
}

const vector = (items: number[][]): number[] => [...unsigned(items.length), ...items.flat()];
const name = (text: string): number[] => vector([...new TextEncoder().encode(text)].map((byte) => [byte]));
const section = (id: number, content: number[]): number[] => [id, ...unsigned(content.length), ...content];

/** A function body under construction: locals by name, and the instructions. */
class FunctionBuilder {
  readonly code: number[] = [];
  private readonly indices = new Map<string, number>();
  private readonly extra: number[] = [];

  constructor(readonly parameters: ReadonlyArray<[string, number]>) {
    for (const [index, [local]] of parameters.entries()) this.indices.set(local, index);
  }

  local(local: string, type: number): void {
    this.indices.set(local, this.parameters.length + this.extra.length);
    this.extra.push(type);
  }

  get(local: string): this {
    return this.emit(op.localGet, ...unsigned(this.index(local)));
  }

  set(local: string): this {
    return this.emit(op.localSet, ...unsigned(this.index(local)));
  }

  tee(local: string): this {
    return this.emit(op.localTee, ...unsigned(this.index(local)));
  }

  constant(value: number): this {
    return this.emit(op.i32Const, ...signed(value));
  }

  /** An f32x4 (or v128) instruction. */
  vector(opcode: number, ...immediates: number[]): this {
    return this.emit(0xfd, ...unsigned(opcode), ...immediates);
  }

  emit(...bytes: number[]): this {
    this.code.push(...bytes);
    return this;
  }

  /** The address `pointer + offset` (byte offsets in locals). */
  address(pointer: string, offset: string): this {
    return this.get(pointer).get(offset).emit(op.i32Add);
  }

  body(): number[] {
    const locals = vector(this.extra.map((type) => [1, type]));
    const bytes = [...locals, ...this.code, op.end];
    return [...unsigned(bytes.length), ...bytes];
  }

  private index(local: string): number {
    const index = this.indices.get(local);
    if (index === undefined) throw new Error(`Unknown local \`${local}\``);
    return index;
  }
}

/** memarg for 4-byte (scalar) or 16-byte (vector) accesses: alignment exponent, offset 0. */
const scalarAccess = [2, 0];
const vectorAccess = [4, 0];

/**
 * adam(x, g, m, v, outX, outM, outV, count, c1, c2, β1, 1-β1, β2, 1-β2, ε, -lr): pointers are byte offsets of
 * float32 arrays of `count` values; see {@link adamStep} for the arithmetic.
 */
function adamFunction(): FunctionBuilder {
  const pointers = ['x', 'g', 'm', 'v', 'outX', 'outM', 'outV'] as const;
  const constants = ['c1', 'c2', 'b1', 'ob1', 'b2', 'ob2', 'eps', 'step'] as const;
  const f = new FunctionBuilder([
    ...pointers.map((pointer): [string, number] => [pointer, i32]),
    ['count', i32],
    ...constants.map((constant): [string, number] => [constant, f32]),
  ]);
  f.local('offset', i32);
  f.local('vectorEnd', i32);
  f.local('end', i32);
  for (const constant of constants) f.local(`${constant}4`, v128);
  for (const value of ['gradient', 'mNew', 'vNew']) {
    f.local(`${value}4`, v128);
    f.local(value, f32);
  }
  f.get('count').constant(2).emit(op.i32Shl).set('end');
  f.get('count').constant(-4).emit(op.i32And).constant(2).emit(op.i32Shl).set('vectorEnd');
  for (const constant of constants) f.get(constant).vector(simd.splat).set(`${constant}4`);

  // One loop body per width: 4 values (f32x4) while they last, then 1 (f32).
  const loop = (width: 4 | 1, end: string) => {
    const suffix = width === 4 ? '4' : '';
    const load = (pointer: string) =>
      width === 4
        ? f.address(pointer, 'offset').vector(simd.load, ...vectorAccess)
        : f.address(pointer, 'offset').emit(op.f32Load, ...scalarAccess);
    const store = () => (width === 4 ? f.vector(simd.store, ...vectorAccess) : f.emit(op.f32Store, ...scalarAccess));
    const arithmetic = (kind: 'add' | 'mul' | 'div' | 'sqrt') =>
      width === 4
        ? f.vector(simd[kind])
        : f.emit({ add: op.f32Add, mul: op.f32Mul, div: op.f32Div, sqrt: op.f32Sqrt }[kind]);
    const constant = (name: string) => f.get(`${name}${suffix}`);
    f.emit(op.block, 0x40, op.loop, 0x40);
    f.get('offset').get(end).emit(op.i32GeU, op.brIf, 1);
    load('g').set(`gradient${suffix}`);
    // m' = m·β1 + g·(1 - β1)
    f.address('outM', 'offset');
    load('m');
    constant('b1');
    arithmetic('mul');
    f.get(`gradient${suffix}`);
    constant('ob1');
    arithmetic('mul');
    arithmetic('add');
    f.tee(`mNew${suffix}`);
    store();
    // v' = v·β2 + (g·g)·(1 - β2)
    f.address('outV', 'offset');
    load('v');
    constant('b2');
    arithmetic('mul');
    f.get(`gradient${suffix}`).get(`gradient${suffix}`);
    arithmetic('mul');
    constant('ob2');
    arithmetic('mul');
    arithmetic('add');
    f.tee(`vNew${suffix}`);
    store();
    // x' = ((m' / c1) / (sqrt(v' / c2) + ε))·(-lr) + x
    f.address('outX', 'offset');
    f.get(`mNew${suffix}`);
    constant('c1');
    arithmetic('div');
    f.get(`vNew${suffix}`);
    constant('c2');
    arithmetic('div');
    arithmetic('sqrt');
    constant('eps');
    arithmetic('add');
    arithmetic('div');
    constant('step');
    arithmetic('mul');
    load('x');
    arithmetic('add');
    store();
    f.get('offset').constant(4 * width).emit(op.i32Add).set('offset');
    f.emit(op.br, 0, op.end, op.end);
  };
  loop(4, 'vectorEnd');
  loop(1, 'end');
  return f;
}

/** The module's bytes, importing `env.memory` (shared for tfjs's threaded build). */
function moduleBytes(sharedMemory: boolean): Uint8Array {
  const functions: Array<[string, FunctionBuilder]> = [['adam', adamFunction()]];
  const types = functions.map(([, f]) => [0x60, ...vector(f.parameters.map(([, type]) => [type])), 0]);
  // A shared memory must declare its maximum: 65536 pages (4 GiB), what tfjs's threaded build declares.
  const limits = sharedMemory ? [0x03, ...unsigned(1), ...unsigned(65536)] : [0x00, ...unsigned(1)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(
      3,
      vector(functions.map((_, index) => unsigned(index))),
    ),
    ...section(
      7,
      vector(functions.map(([exported], index) => [...name(exported), 0x00, ...unsigned(index)])),
    ),
    ...section(10, vector(functions.map(([, f]) => f.body()))),
  ]);
}

/** The functions of the module, for one wasm backend's memory. */
export interface SimdKernels {
  adam(
    x: number,
    g: number,
    m: number,
    v: number,
    outX: number,
    outM: number,
    outV: number,
    count: number,
    c1: number,
    c2: number,
    beta1: number,
    oneMinusBeta1: number,
    beta2: number,
    oneMinusBeta2: number,
    epsilon: number,
    step: number,
  ): void;
}

const instances = new WeakMap<WebAssembly.Memory, SimdKernels>();
const compiled = new Map<boolean, WebAssembly.Module>();

/** The wasm backend's memory: exported by tfjs's single-threaded build, created by its glue for the threaded one. */
function backendMemory(backend: BackendWasm): WebAssembly.Memory | undefined {
  const module = backend.wasm as unknown as { asm?: { memory?: unknown }; wasmMemory?: unknown };
  const memory = module.asm?.memory ?? module.wasmMemory;
  return memory instanceof WebAssembly.Memory ? memory : undefined;
}

/**
 * Our SIMD functions on `backend`'s memory (compiled once per memory kind, instantiated once per backend), or
 * undefined where its memory cannot be reached or WebAssembly SIMD is missing (callers then use tfjs kernels).
 */
export function simdKernels(backend: BackendWasm): SimdKernels | undefined {
  const memory = backendMemory(backend);
  if (memory === undefined) return undefined;
  let kernels = instances.get(memory);
  if (kernels !== undefined) return kernels;
  const shared = typeof SharedArrayBuffer !== 'undefined' && memory.buffer instanceof SharedArrayBuffer;
  try {
    let module = compiled.get(shared);
    if (module === undefined) {
      module = new WebAssembly.Module(moduleBytes(shared));
      compiled.set(shared, module);
    }
    kernels = new WebAssembly.Instance(module, { env: { memory } }).exports as unknown as SimdKernels;
  } catch {
    return undefined;
  }
  instances.set(memory, kernels);
  return kernels;
}

/** The byte offset of a tensor's values on the wasm heap. */
export function heapOffset(backend: BackendWasm, dataId: object): number {
  const entry = backend.dataIdMap.get(dataId) as { memoryOffset?: number } | undefined;
  if (entry?.memoryOffset === undefined) throw new Error('Expected a tensor on the wasm heap.');
  return entry.memoryOffset;
}
