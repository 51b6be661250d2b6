import fc from 'fast-check';

// Arbitraries restricted to the supported types.
// ---------------------------------------------------------------------------------------------------------------------

/** Characters of the grammar and of encodings, so generated strings look like (parts of) encodings. */
export const trickyChar = fc.constantFrom(
  ',',
  ':',
  ']',
  '[',
  '}',
  '{',
  '=',
  '>',
  '=>',
  '|',
  '/',
  's',
  'n',
  'u',
  'h',
  'z',
  'b',
  'M',
  'S',
  '0',
  '1',
  '4',
  '-',
  'a',
  '\u0001',
  '\uD800',
  '\uDC00',
  '\uFFFD',
  '😀',
);
export const stringArb = fc.oneof(
  fc.string({ unit: trickyChar, maxLength: 8 }),
  fc.string({ unit: 'binary', maxLength: 6 }),
  fc.constantFrom('', 's1:a', 'n1', 'u', 'h', 'z', '{s4:args:[n1]}', 'a=>b', 'args'),
);
export const numberArb = fc.oneof(
  fc.double(),
  fc.integer({ min: -3, max: 3 }),
  fc.constantFrom(0, -0, Number.NaN, 1e21),
);
export const primitiveArb = fc.oneof(
  stringArb,
  numberArb,
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
);
export const bytesArb = fc.uint8Array({ maxLength: 8 });
export const typedArrayArb = fc.oneof(
  fc.int8Array({ maxLength: 3 }),
  fc.uint8Array({ maxLength: 3 }),
  fc.uint8ClampedArray({ maxLength: 3 }),
  fc.int16Array({ maxLength: 3 }),
  fc.uint16Array({ maxLength: 3 }),
  fc.int32Array({ maxLength: 3 }),
  fc.uint32Array({ maxLength: 3 }),
  fc.float32Array({ maxLength: 3 }),
  fc.float64Array({ maxLength: 3 }),
  fc.bigInt64Array({ maxLength: 3 }),
  fc.bigUint64Array({ maxLength: 3 }),
  // Views of the same bytes through different types.
  fc
    .tuple(
      fc.uint8Array({ minLength: 8, maxLength: 8 }),
      fc.constantFrom(Uint8Array, Int8Array, Uint32Array, Float64Array),
    )
    .map(([bytes, Type]) => new Type(bytes.slice().buffer)),
);
export const regExpArb = fc
  .tuple(
    fc.constantFrom('a', 'a|b', '[,:\\]}]', '\\d+', '=>', 's1:a', '', '\\/'),
    fc.subarray(['d', 'g', 'i', 'm', 's', 'u', 'y']),
  )
  .map(([source, flags]) => new RegExp(source, flags.join('')));

export function binaryArb(withBuffers: boolean): fc.Arbitrary<unknown> {
  const arbitraries: fc.Arbitrary<unknown>[] = [
    typedArrayArb,
    bytesArb.map((bytes) => bytes.slice().buffer),
    bytesArb.map((bytes) => new DataView(new Uint8Array([7, ...bytes, 7]).buffer, 1, bytes.length)),
  ];
  if (withBuffers) arbitraries.push(bytesArb.map((bytes) => Buffer.from(bytes)));
  return fc.oneof(...arbitraries);
}

/** Any supported value. `withBuffers: false` leaves out Buffer, which structuredClone turns into a Uint8Array. */
export function valueArb({ withBuffers = true } = {}): fc.Arbitrary<unknown> {
  const leaf = fc.oneof(
    { weight: 4, arbitrary: primitiveArb },
    fc.date({ noInvalidDate: false }),
    regExpArb,
    binaryArb(withBuffers),
  );
  return fc.letrec<{ value: unknown }>((tie) => ({
    value: fc.oneof(
      { depthSize: 'small', withCrossShrink: true },
      leaf,
      fc.array(tie('value'), { maxLength: 4 }),
      fc.sparseArray(tie('value'), { maxLength: 5 }),
      fc.dictionary(stringArb, tie('value'), { maxKeys: 4 }),
      fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 3 }).map((entries) => new Map(entries)),
      fc.array(tie('value'), { maxLength: 3 }).map((members) => new Set(members)),
    ),
  })).value;
}

/** A small domain in which generated pairs are often equal or nearly equal, to probe injectivity at close range. */
export const closeValueArb: fc.Arbitrary<unknown> = fc.letrec<{ value: unknown }>((tie) => ({
  value: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    fc.constantFrom<unknown>(0, -0, Number.NaN, 1, '1', '', 's1:a', ',', null, undefined, 1n, true, false),
    fc
      .constantFrom(
        () => new Date(0),
        () => new Date(1),
        () => new Date(Number.NaN),
        () => /a/,
        () => /a/g,
        () => new Uint8Array([1]),
        () => new Int8Array([1]),
        () => new Uint8ClampedArray([1]),
        () => Buffer.from([1]),
        () => new Uint8Array([1]).buffer,
        () => new DataView(new Uint8Array([1]).buffer),
        () => new Uint8Array([]),
      )
      .map((make) => make()),
    fc.array(tie('value'), { maxLength: 2 }),
    fc.sparseArray(tie('value'), { maxLength: 2 }),
    fc.dictionary(fc.constantFrom('a', 'b', '1', ','), tie('value'), { maxKeys: 2 }),
    fc.array(fc.tuple(tie('value'), tie('value')), { maxLength: 2 }).map((entries) => new Map(entries)),
    fc.array(tie('value'), { maxLength: 2 }).map((members) => new Set(members)),
  ),
})).value;

export const argsArb = fc.oneof(
  fc.array(valueArb(), { maxLength: 3 }),
  primitiveArb.map((value) => [value]),
  stringArb.map((value) => [value]),
);

// ---------------------------------------------------------------------------------------------------------------------
