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
  i32Load: 0x28,
  i32Store: 0x36,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32Eq: 0x46,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Mul: 0x6c,
  i32And: 0x71,
  i32Shl: 0x74,
  if: 0x04,
  else: 0x05,
  select: 0x1b,
  f32Const: 0x43,
  f64Const: 0x44,
  f32Ne: 0x5c,
  f32Gt: 0x5e,
  f32Sqrt: 0x91,
  f32Add: 0x92,
  f32Sub: 0x93,
  f32Mul: 0x94,
  f32Div: 0x95,
} as const;
/** f64x2 opcodes (and the conversions between f32x4 and f64x2). */
const f64x2 = { splat: 0x14, add: 0xf0, promoteLow: 0x5f, demoteZero: 0x5e } as const;
const simd = {
  load: 0x00,
  store: 0x0b,
  splat: 0x13,
  sqrt: 0xe3,
  add: 0xe4,
  sub: 0xe5,
  mul: 0xe6,
  div: 0xe7,
  ne: 0x42,
  gt: 0x44,
  bitselect: 0x52,
} as const;

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
/** For vectors at 4-byte aligned addresses (rows of a tensor at any offset). */
const unalignedVectorAccess = [2, 0];

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
    f.get('offset')
      .constant(4 * width)
      .emit(op.i32Add)
      .set('offset');
    f.emit(op.br, 0, op.end, op.end);
  };
  loop(4, 'vectorEnd');
  loop(1, 'end');
  return f;
}

/**
 * copy4d(source, target, n0, n1, n2, n3, s0, s1, s2, s3, t0, t1, t2, t3): target[i·t] = source[i·s] for every
 * index i < n of a 4-D loop nest (i0 outermost), strides in bytes, 4-byte values copied as bits. Where the
 * innermost strides are both 4 (rows contiguous on both sides) and rows hold a multiple of 4 values, rows
 * are copied 16 bytes at a time.
 */
function copyFunction(): FunctionBuilder {
  const f = nestFunction([]);
  f.local('rowBytes', i32);
  f.local('contiguous', i32);
  f.local('byte', i32);
  f.get('n3').constant(2).emit(op.i32Shl).set('rowBytes');
  // Contiguous rows of a multiple of 4 values are copied 16 bytes at a time (a memory.copy call costs
  // about as much as copying a 64-value row this way).
  f.get('s3').constant(4).emit(op.i32Eq).get('t3').constant(4).emit(op.i32Eq).emit(op.i32And);
  f.get('rowBytes').constant(15).emit(op.i32And, op.i32Eqz, op.i32And).set('contiguous');
  nest(f, 3, () => {
    f.get('contiguous').emit(op.if, 0x40);
    f.constant(0).set('byte');
    f.emit(op.block, 0x40, op.loop, 0x40);
    f.get('byte').get('rowBytes').emit(op.i32GeU, op.brIf, 1);
    f.address('to2', 'byte').address('from2', 'byte');
    f.vector(simd.load, ...unalignedVectorAccess).vector(simd.store, ...unalignedVectorAccess);
    f.get('byte').constant(16).emit(op.i32Add).set('byte');
    f.emit(op.br, 0, op.end, op.end);
    f.emit(op.else);
    nest(
      f,
      4,
      () => {
        f.get('to3')
          .get('from3')
          .emit(op.i32Load, ...scalarAccess, op.i32Store, ...scalarAccess);
      },
      3,
    );
    f.emit(op.end);
  });
  return f;
}

/**
 * transpose4x4(source, target, n0..n3, s0..s3, t0..t3, rowStride, columnStride): the same 4-D loop nest as
 * copy4d, each innermost index moving a 4x4 block: the 4 values at source + k·rowStride (k < 4, 4 contiguous
 * values each) land, transposed, at target + k·columnStride. For a transpose that swaps which axis is
 * contiguous ([B, H, W, C] to [C, H, W, B]): 16 values per 4 loads, 8 shuffles and 4 stores.
 */
function transposeFunction(): FunctionBuilder {
  const f = nestFunction([
    ['rowStride', i32],
    ['columnStride', i32],
  ]);
  for (const k of [0, 1, 2, 3]) {
    f.local(`r${k}`, v128);
    f.local(`c${k}`, v128);
  }
  const lanes = (floats: number[]) => floats.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
  const shuffle = (a: string, b: string, floats: number[]) =>
    f
      .get(a)
      .get(b)
      .vector(0x0d, ...lanes(floats));
  const offset = (pointer: string, stride: string, k: number) => {
    f.get(pointer);
    if (k > 0) f.get(stride).constant(k).emit(op.i32Mul, op.i32Add);
  };
  nest(f, 4, () => {
    for (const k of [0, 1, 2, 3]) {
      offset('from3', 'rowStride', k);
      f.vector(simd.load, ...unalignedVectorAccess).set(`r${k}`);
    }
    shuffle('r0', 'r1', [0, 4, 1, 5]).set('c0');
    shuffle('r0', 'r1', [2, 6, 3, 7]).set('c1');
    shuffle('r2', 'r3', [0, 4, 1, 5]).set('c2');
    shuffle('r2', 'r3', [2, 6, 3, 7]).set('c3');
    for (const [k, [a, b, floats]] of [
      ['c0', 'c2', [0, 1, 4, 5]],
      ['c0', 'c2', [2, 3, 6, 7]],
      ['c1', 'c3', [0, 1, 4, 5]],
      ['c1', 'c3', [2, 3, 6, 7]],
    ].entries() as IterableIterator<[number, [string, string, number[]]]>) {
      offset('to3', 'columnStride', k);
      shuffle(a, b, floats);
      f.vector(simd.store, ...unalignedVectorAccess);
    }
  });
  return f;
}

/**
 * normalize(x, mean, factor, offset, out, rows, rowBytes, hasOffset): out = (x - mean)·factor (+ offset) for
 * each of `rows` rows of rowBytes / 4 channels (a multiple of 4), with per-channel mean, factor and offset:
 * batch norm's three element-wise operations, each rounded to float32 as XNNPACK's would be, in one pass.
 */
function normalizeFunction(): FunctionBuilder {
  const f = new FunctionBuilder(
    (['x', 'mean', 'factor', 'offset', 'out', 'rows', 'rowBytes', 'hasOffset'] as const).map(
      (parameter): [string, number] => [parameter, i32],
    ),
  );
  f.local('row', i32);
  f.local('byte', i32);
  f.local('value', v128);
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('row').get('rows').emit(op.i32GeU, op.brIf, 1);
  f.constant(0).set('byte');
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('byte').get('rowBytes').emit(op.i32GeU, op.brIf, 1);
  f.address('x', 'byte').vector(simd.load, ...unalignedVectorAccess);
  f.address('mean', 'byte')
    .vector(simd.load, ...unalignedVectorAccess)
    .vector(simd.sub);
  f.address('factor', 'byte')
    .vector(simd.load, ...unalignedVectorAccess)
    .vector(simd.mul);
  f.set('value');
  f.get('hasOffset').emit(op.if, 0x40);
  f.get('value')
    .address('offset', 'byte')
    .vector(simd.load, ...unalignedVectorAccess)
    .vector(simd.add);
  f.set('value');
  f.emit(op.end);
  f.address('out', 'byte')
    .get('value')
    .vector(simd.store, ...unalignedVectorAccess);
  f.get('byte').constant(16).emit(op.i32Add).set('byte');
  f.emit(op.br, 0, op.end, op.end);
  for (const pointer of ['x', 'out']) f.get(pointer).get('rowBytes').emit(op.i32Add).set(pointer);
  f.get('row').constant(1).emit(op.i32Add).set('row');
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

/**
 * columnSums(x, out, rows, rowBytes, divide, count): out[c] = the float64 sum of x[r, c] over the rows, in
 * row order, rounded once to float32 (as tfjs's cpu backend sums), then divided by `count` in float32 when
 * `divide` is set (its mean: the rounded sum over the row count). rowBytes / 4 columns, a multiple of 4.
 */
function columnSumsFunction(): FunctionBuilder {
  const f = new FunctionBuilder([
    ['x', i32],
    ['out', i32],
    ['rows', i32],
    ['rowBytes', i32],
    ['divide', i32],
    ['count', f32],
  ]);
  f.local('column', i32);
  f.local('row', i32);
  f.local('pointer', i32);
  f.local('low', v128);
  f.local('high', v128);
  f.local('value', v128);
  const lanes = (floats: number[]) => floats.flatMap((lane) => [4 * lane, 4 * lane + 1, 4 * lane + 2, 4 * lane + 3]);
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('column').get('rowBytes').emit(op.i32GeU, op.brIf, 1);
  for (const accumulator of ['low', 'high'])
    f.emit(op.f64Const, 0, 0, 0, 0, 0, 0, 0, 0).vector(f64x2.splat).set(accumulator);
  f.address('x', 'column').set('pointer');
  f.constant(0).set('row');
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('row').get('rows').emit(op.i32GeU, op.brIf, 1);
  f.get('pointer')
    .vector(simd.load, ...unalignedVectorAccess)
    .set('value');
  f.get('low').get('value').vector(f64x2.promoteLow).vector(f64x2.add).set('low');
  f.get('high')
    .get('value')
    .get('value')
    .vector(0x0d, ...lanes([2, 3, 0, 1]))
    .vector(f64x2.promoteLow);
  f.vector(f64x2.add).set('high');
  f.get('pointer').get('rowBytes').emit(op.i32Add).set('pointer');
  f.get('row').constant(1).emit(op.i32Add).set('row');
  f.emit(op.br, 0, op.end, op.end);
  f.get('low')
    .vector(f64x2.demoteZero)
    .get('high')
    .vector(f64x2.demoteZero)
    .vector(0x0d, ...lanes([0, 1, 4, 5]));
  f.set('value');
  f.get('divide').emit(op.if, 0x40);
  f.get('value').get('count').vector(simd.splat).vector(simd.div).set('value');
  f.emit(op.end);
  f.address('out', 'column')
    .get('value')
    .vector(simd.store, ...unalignedVectorAccess);
  f.get('column').constant(16).emit(op.i32Add).set('column');
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

/**
 * step(x, out, count, alpha): out = NaN where x is NaN, 1 where x > 0, else alpha (tfjs's Step on cpu), four
 * values at a time without a branch, then the remainder one by one.
 */
function stepFunction(): FunctionBuilder {
  const f = new FunctionBuilder([
    ['x', i32],
    ['out', i32],
    ['count', i32],
    ['alpha', f32],
  ]);
  f.local('offset', i32);
  f.local('vectorEnd', i32);
  f.local('end', i32);
  f.local('value', v128);
  f.local('scalar', f32);
  f.local('one', v128);
  f.local('slope', v128);
  f.local('zero', v128);
  f.get('count').constant(2).emit(op.i32Shl).set('end');
  f.get('count').constant(-4).emit(op.i32And).constant(2).emit(op.i32Shl).set('vectorEnd');
  f.emit(op.f32Const, ...f32Bytes(1))
    .vector(simd.splat)
    .set('one');
  f.emit(op.f32Const, ...f32Bytes(0))
    .vector(simd.splat)
    .set('zero');
  f.get('alpha').vector(simd.splat).set('slope');
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('offset').get('vectorEnd').emit(op.i32GeU, op.brIf, 1);
  f.address('x', 'offset')
    .vector(simd.load, ...unalignedVectorAccess)
    .set('value');
  f.address('out', 'offset');
  // bitselect(value, bitselect(1, alpha, value > 0), value != value)
  f.get('value');
  f.get('one').get('slope').get('value').get('zero').vector(simd.gt).vector(simd.bitselect);
  f.get('value').get('value').vector(simd.ne).vector(simd.bitselect);
  f.vector(simd.store, ...unalignedVectorAccess);
  f.get('offset').constant(16).emit(op.i32Add).set('offset');
  f.emit(op.br, 0, op.end, op.end);
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('offset').get('end').emit(op.i32GeU, op.brIf, 1);
  f.address('x', 'offset')
    .emit(op.f32Load, ...scalarAccess)
    .set('scalar');
  f.address('out', 'offset');
  // select(x, select(1, alpha, x > 0), x != x)
  f.get('scalar');
  f.emit(op.f32Const, ...f32Bytes(1))
    .get('alpha')
    .get('scalar')
    .emit(op.f32Const, ...f32Bytes(0));
  f.emit(op.f32Gt, op.select);
  f.get('scalar').get('scalar').emit(op.f32Ne, op.select);
  f.emit(op.f32Store, ...scalarAccess);
  f.get('offset').constant(4).emit(op.i32Add).set('offset');
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

/** The 4 little-endian bytes of a float32 constant. */
function f32Bytes(value: number): number[] {
  return [...new Uint8Array(new Float32Array([value]).buffer)];
}

/**
 * binary(a, b, out, rows, rowBytes, scalarB) for one float32 operation: out = a OP b over `rows` rows of
 * rowBytes (a and out contiguous), b either a row repeated for every row (the per-channel case; one row of
 * everything when b has a's shape) or, when scalarB is set, one value. Four values at a time, then the
 * rest of each row one by one; IEEE float32 as XNNPACK's element-wise operators compute it.
 */
function binaryFunction(operation: 'add' | 'sub' | 'mul' | 'div'): FunctionBuilder {
  const f = new FunctionBuilder(
    (['a', 'b', 'out', 'rows', 'rowBytes', 'scalarB'] as const).map((parameter): [string, number] => [parameter, i32]),
  );
  f.local('row', i32);
  f.local('byte', i32);
  f.local('vectorBytes', i32);
  f.local('bVector', v128);
  f.local('bScalar', f32);
  const scalarOp = { add: op.f32Add, sub: op.f32Sub, mul: op.f32Mul, div: op.f32Div }[operation];
  f.get('rowBytes').constant(-16).emit(op.i32And).set('vectorBytes');
  f.get('b')
    .emit(op.f32Load, ...scalarAccess)
    .tee('bScalar')
    .vector(simd.splat)
    .set('bVector');
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('row').get('rows').emit(op.i32GeU, op.brIf, 1);
  f.constant(0).set('byte');
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('byte').get('vectorBytes').emit(op.i32GeU, op.brIf, 1);
  f.address('out', 'byte');
  f.address('a', 'byte').vector(simd.load, ...unalignedVectorAccess);
  f.get('scalarB').emit(op.if, v128);
  f.get('bVector');
  f.emit(op.else);
  f.address('b', 'byte').vector(simd.load, ...unalignedVectorAccess);
  f.emit(op.end);
  f.vector(simd[operation]).vector(simd.store, ...unalignedVectorAccess);
  f.get('byte').constant(16).emit(op.i32Add).set('byte');
  f.emit(op.br, 0, op.end, op.end);
  f.emit(op.block, 0x40, op.loop, 0x40);
  f.get('byte').get('rowBytes').emit(op.i32GeU, op.brIf, 1);
  f.address('out', 'byte');
  f.address('a', 'byte').emit(op.f32Load, ...scalarAccess);
  f.get('scalarB').emit(op.if, f32);
  f.get('bScalar');
  f.emit(op.else);
  f.address('b', 'byte').emit(op.f32Load, ...scalarAccess);
  f.emit(op.end);
  f.emit(scalarOp, op.f32Store, ...scalarAccess);
  f.get('byte').constant(4).emit(op.i32Add).set('byte');
  f.emit(op.br, 0, op.end, op.end);
  for (const pointer of ['a', 'out']) f.get(pointer).get('rowBytes').emit(op.i32Add).set(pointer);
  f.get('row').constant(1).emit(op.i32Add).set('row');
  f.emit(op.br, 0, op.end, op.end);
  return f;
}

/** A function over (source, target, n0..n3, s0..s3, t0..t3, ...extra) with the locals {@link nest} uses. */
function nestFunction(extra: ReadonlyArray<[string, number]>): FunctionBuilder {
  const f = new FunctionBuilder([
    ['source', i32],
    ['target', i32],
    ...[0, 1, 2, 3].map((axis): [string, number] => [`n${axis}`, i32]),
    ...[0, 1, 2, 3].map((axis): [string, number] => [`s${axis}`, i32]),
    ...[0, 1, 2, 3].map((axis): [string, number] => [`t${axis}`, i32]),
    ...extra,
  ]);
  for (const axis of [0, 1, 2, 3]) {
    f.local(`i${axis}`, i32);
    f.local(`from${axis}`, i32);
    f.local(`to${axis}`, i32);
  }
  return f;
}

/**
 * Loops over axes `first` .. `depth - 1` (i_axis < n_axis), moving the pointers from_axis / to_axis by s_axis /
 * t_axis bytes, with `inner` inside the innermost (pointers from_{depth-1}, to_{depth-1}).
 */
function nest(f: FunctionBuilder, depth: number, inner: () => void, first = 0): void {
  const loop = (axis: number) => {
    if (axis === depth) {
      inner();
      return;
    }
    const from = axis === 0 ? 'source' : `from${axis - 1}`;
    const to = axis === 0 ? 'target' : `to${axis - 1}`;
    f.constant(0).set(`i${axis}`);
    f.get(from).set(`from${axis}`);
    f.get(to).set(`to${axis}`);
    f.emit(op.block, 0x40, op.loop, 0x40);
    f.get(`i${axis}`).get(`n${axis}`).emit(op.i32GeU, op.brIf, 1);
    loop(axis + 1);
    for (const [pointer, stride] of [
      [`from${axis}`, `s${axis}`],
      [`to${axis}`, `t${axis}`],
    ] as const)
      f.get(pointer).get(stride).emit(op.i32Add).set(pointer);
    f.get(`i${axis}`).constant(1).emit(op.i32Add).set(`i${axis}`);
    f.emit(op.br, 0, op.end, op.end);
  };
  loop(first);
}

/** The module's bytes, importing `env.memory` (shared for tfjs's threaded build). */
function moduleBytes(sharedMemory: boolean): Uint8Array<ArrayBuffer> {
  const functions: Array<[string, FunctionBuilder]> = [
    ['adam', adamFunction()],
    ['copy4d', copyFunction()],
    ['transpose4x4', transposeFunction()],
    ['normalize', normalizeFunction()],
    ['columnSums', columnSumsFunction()],
    ['step', stepFunction()],
    ...(['add', 'sub', 'mul', 'div'] as const).map((operation): [string, FunctionBuilder] => [
      operation,
      binaryFunction(operation),
    ]),
  ];
  const types = functions.map(([, f]) => [0x60, ...vector(f.parameters.map(([, type]) => [type])), 0]);
  // A shared memory must declare its maximum: 65536 pages (4 GiB), what tfjs's threaded build declares.
  const limits = sharedMemory ? [0x03, ...unsigned(1), ...unsigned(65536)] : [0x00, ...unsigned(1)];
  return new Uint8Array([
    ...[0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00],
    ...section(1, vector(types)),
    ...section(2, vector([[...name('env'), ...name('memory'), 0x02, ...limits]])),
    ...section(3, vector(functions.map((_, index) => unsigned(index)))),
    ...section(7, vector(functions.map(([exported], index) => [...name(exported), 0x00, ...unsigned(index)]))),
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
  copy4d(
    source: number,
    target: number,
    n0: number,
    n1: number,
    n2: number,
    n3: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    t0: number,
    t1: number,
    t2: number,
    t3: number,
  ): void;
  transpose4x4(
    source: number,
    target: number,
    n0: number,
    n1: number,
    n2: number,
    n3: number,
    s0: number,
    s1: number,
    s2: number,
    s3: number,
    t0: number,
    t1: number,
    t2: number,
    t3: number,
    rowStride: number,
    columnStride: number,
  ): void;
  normalize(
    x: number,
    mean: number,
    factor: number,
    offset: number,
    out: number,
    rows: number,
    rowBytes: number,
    hasOffset: number,
  ): void;
  columnSums(x: number, out: number, rows: number, rowBytes: number, divide: number, count: number): void;
  step(x: number, out: number, count: number, alpha: number): void;
  add: BinaryFunction;
  sub: BinaryFunction;
  mul: BinaryFunction;
  div: BinaryFunction;
}

/** See {@link binaryFunction}. */
export type BinaryFunction = (
  a: number,
  b: number,
  out: number,
  rows: number,
  rowBytes: number,
  scalarB: number,
) => void;

let moduleEnabled = true;

/** For tests: whether {@link simdKernels} hands out the module (`false`: callers take their other way). */
export function setSimdModuleEnabled(enabled: boolean): void {
  moduleEnabled = enabled;
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
  if (!moduleEnabled) return undefined;
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

/** One axis of a strided copy: `size` values, `from`/`to` strides in values. */
export interface CopyAxis {
  readonly size: number;
  readonly from: number;
  readonly to: number;
}

/**
 * target[targetStart + Σ to·i] = source[sourceStart + Σ from·i] for float32 tensors on `backend`'s heap, over
 * up to four axes (strides in values), as bits. Our module's copy4d runs it, the axes nested so that both
 * sides' memory traffic stays local: the axis that reads contiguously innermost, the one that writes
 * contiguously next, the others outside in the given order (axes of size 1 dropped); where those two axes differ
 * and hold multiples of 4 values, as 4x4 blocks transposed in registers (transpose4x4). Without the module, a
 * plain loop over the same indices.
 */
export function copyStrided(
  backend: BackendWasm,
  source: { readonly tensor: { dataId: object }; readonly start: number },
  target: { readonly tensor: { dataId: object }; readonly start: number },
  axes: readonly CopyAxis[],
): void {
  const used = axes.filter((axis) => axis.size !== 1);
  if (used.some((axis) => axis.size === 0)) return;
  const reading = used.findIndex((axis) => axis.from === 1);
  const writing = used.findIndex((axis) => axis.to === 1);
  const inner = [reading, writing].filter((index, position, all) => index >= 0 && all.indexOf(index) === position);
  const ordered = [
    ...used.filter((_, index) => !inner.includes(index)),
    ...inner.reverse().map((index) => used[index] as CopyAxis),
  ];
  if (ordered.length > 4) throw new Error(`Expected at most 4 axes to copy, got ${ordered.length}.`);
  while (ordered.length < 4) ordered.unshift({ size: 1, from: 0, to: 0 });
  const [a, b, c, d] = ordered as [CopyAxis, CopyAxis, CopyAxis, CopyAxis];
  const sourceOffset = heapOffset(backend, source.tensor.dataId);
  const targetOffset = heapOffset(backend, target.tensor.dataId);
  const kernels = simdKernels(backend);
  if (kernels !== undefined && reading >= 0 && writing >= 0 && reading !== writing) {
    const across = used[reading] as CopyAxis;
    const down = used[writing] as CopyAxis;
    if (across.size % 4 === 0 && down.size % 4 === 0) {
      // 4x4 blocks: `down` (contiguous in the target) by 4 source rows, `across` (contiguous in the source) by 4.
      const outer = used.filter((_, index) => index !== reading && index !== writing);
      while (outer.length < 2) outer.unshift({ size: 1, from: 0, to: 0 });
      const [a, b] = outer as [CopyAxis, CopyAxis];
      kernels.transpose4x4(
        sourceOffset + 4 * source.start,
        targetOffset + 4 * target.start,
        a.size,
        b.size,
        down.size / 4,
        across.size / 4,
        4 * a.from,
        4 * b.from,
        16 * down.from,
        16,
        4 * a.to,
        4 * b.to,
        16,
        16 * across.to,
        4 * down.from,
        4 * across.to,
      );
      return;
    }
  }
  if (kernels === undefined) {
    const heap = new Uint32Array((backend.wasm as unknown as { HEAPU8: Uint8Array }).HEAPU8.buffer);
    for (let i = 0; i < a.size; i++)
      for (let j = 0; j < b.size; j++)
        for (let k = 0; k < c.size; k++) {
          const from = sourceOffset / 4 + source.start + i * a.from + j * b.from + k * c.from;
          const to = targetOffset / 4 + target.start + i * a.to + j * b.to + k * c.to;
          for (let l = 0; l < d.size; l++) heap[to + l * d.to] = heap[from + l * d.from] as number;
        }
    return;
  }
  kernels.copy4d(
    sourceOffset + 4 * source.start,
    targetOffset + 4 * target.start,
    a.size,
    b.size,
    c.size,
    d.size,
    4 * a.from,
    4 * b.from,
    4 * c.from,
    4 * d.from,
    4 * a.to,
    4 * b.to,
    4 * c.to,
    4 * d.to,
  );
}

/** Row-major strides of `shape`, in values. */
export function stridesOf(shape: readonly number[]): number[] {
  const strides = new Array<number>(shape.length).fill(1);
  for (let axis = shape.length - 2; axis >= 0; axis--)
    strides[axis] = (strides[axis + 1] as number) * (shape[axis + 1] as number);
  return strides;
}

/**
 * Values from which an element-wise pass is left to XNNPACK when the wasm backend has a thread pool: XNNPACK
 * splits its operators over the pool, our loops run on one thread. (A guard for the multi-threaded 64px
 * model, not a measured crossover; on one thread ours are used at every size.)
 */
const largestPassBesidesThreads = 1 << 16;

/** Whether an element-wise pass over `size` values should run in our module rather than XNNPACK's pool. */
export function runsHere(backend: BackendWasm, size: number): boolean {
  if (size < largestPassBesidesThreads) return true;
  const tfjs = (backend.wasm as unknown as { tfjs?: { getThreadsCount?: () => number } }).tfjs;
  return (tfjs?.getThreadsCount?.() ?? 1) <= 1;
}
