/**
 * `types.Integer` (varint) and `types.Vector` of `@rsylla/rsylla/compat`
 * against the real `cassandra-driver` 4.10 classes (a devDependency, imported
 * here only): the same values built with both and compared method by method,
 * arithmetic checked by property tests, and cells encoded by one driver read
 * by the other through the facade's value boundary (`convert.ts`).
 * @module
 */

import assert from "node:assert/strict";
import { describe, it } from "node:test";
import cassandra from "cassandra-driver";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { types } from "../../src/compat/mod.ts";
import { fromNative, subtypeName, toNative } from "../../src/compat/convert.ts";
import { parseType } from "../../src/wire/cql_type_text.ts";
import { decode, encode } from "./codec_helpers.ts";

const ref = cassandra.types;
const { Integer, Vector } = types;
type Ours = InstanceType<typeof Integer>;
type Theirs = InstanceType<typeof ref.Integer>;
/** Parts of cassandra-driver its typings leave out. */
// deno-lint-ignore no-explicit-any
const untyped = (v: unknown): any => v;

/** The result as text, a thrown error as `"throws"`. */
function text(f: () => unknown): string {
  try {
    return String(f());
  } catch {
    return "throws";
  }
}

const TEXTS = [
  "0",
  "1",
  "-1",
  "2",
  "127",
  "128",
  "-128",
  "-129",
  "255",
  "256",
  "-256",
  "-257",
  "32767",
  "32768",
  "-32769",
  "8388608",
  "-8388609",
  "2147483647",
  "2147483648",
  "-2147483648",
  "-2147483649",
  "4294967295",
  "4294967296",
  "-4294967295",
  "-4294967296",
  "-4294967297",
  "9007199254740991",
  "9007199254740993",
  "-9007199254740993",
  "9223372036854775807",
  "-9223372036854775808",
  "18446744073709551615",
  "18446744073709551616",
  "-18446744073709551616",
  "340282366920938463463374607431768211456",
  "10000000000000000000000000000000000000000",
  "-10000000000000000000000000000000000000000",
  "123456789012345678901234567890123456789012345678901234567890",
  "-987654321098765432109876543210987654321098765432109876543210",
];

/** Both classes' value of `s`. */
function pair(s: string): [Ours, Theirs] {
  return [Integer.fromString(s), ref.Integer.fromString(s)];
}

/** Asserts that ours and theirs hold the same value and show it alike. */
function same(a: Ours, b: Theirs, at: string): void {
  assert.equal(a.toString(), b.toString(), at);
  assert.equal(a.toString(16), b.toString(16), `${at} hex`);
}

/**
 * cassandra-driver's `multiply` (Closure's 16-bit long multiplication) loses a
 * carry for some operands of 64 bits and more, e.g. (2^64 - 1)^2, and its
 * `divide`/`modulo` multiply: ours are exact, and equal to theirs elsewhere.
 */
const THEIR_BUGS = new Set(["multiply", "divide", "modulo"]);

/** Ours is `exact`; theirs equal unless `op` is one of theirs with a known bug. */
function exactly(op: string, a: Ours, b: Theirs, exact: bigint, at: string): boolean {
  assert.equal(a.toBigInt(), exact, `${op} ${at}`);
  if (b.toString() === exact.toString()) return true;
  assert.ok(THEIR_BUGS.has(op), `cassandra-driver's ${op} ${at}: ${b} (exact ${exact})`);
  return false;
}

/** Bigints from tiny to a few hundred bits, with the boundaries of 32-bit pieces. */
const bigints = fc.oneof(
  fc.bigInt({ min: -(2n ** 300n), max: 2n ** 300n }),
  fc.bigInt({ min: -(2n ** 70n), max: 2n ** 70n }),
  fc.bigInt({ min: -300n, max: 300n }),
  fc.integer({ min: 0, max: 200 }).chain((n) =>
    fc.constantFrom(
      2n ** BigInt(n),
      2n ** BigInt(n) - 1n,
      -(2n ** BigInt(n)),
      -(2n ** BigInt(n)) - 1n,
    )
  ),
);

describe("compat Integer against cassandra-driver's types.Integer", () => {
  it("constants, the small-value cache and instanceof", () => {
    assert.equal(Integer.ZERO.toString(), ref.Integer.ZERO.toString());
    assert.equal(Integer.ONE.toString(), ref.Integer.ONE.toString());
    assert.equal(Integer.fromInt(0), Integer.ZERO);
    assert.equal(Integer.fromInt(1), Integer.ONE);
    assert.equal(Integer.fromInt(-7), Integer.fromInt(-7));
    assert.ok(Integer.fromString("5") instanceof Integer);
    assert.ok(Integer.isInteger(Integer.ONE) && !Integer.isInteger(1n));
    assert.equal(Integer.fromBigInt(-(2n ** 100n)).toBigInt(), -(2n ** 100n));
  });

  it("text in radixes 2..36, 32-bit pieces, sign, parity, numbers, JSON and inspect", () => {
    for (const s of TEXTS) {
      const [a, b] = pair(s);
      same(a, b, s);
      for (const radix of [2, 3, 7, 8, 10, 16, 32, 35, 36]) {
        // cassandra-driver's toString(36) overflows an int (36^6 > 2^31) for many values.
        const expected = radix === 36 ? BigInt(s).toString(36) : b.toString(radix);
        assert.equal(a.toString(radix), expected, `${s} radix ${radix}`);
        assert.equal(Integer.fromString(expected, radix).toString(), s, `${s} r${radix}`);
        const upper = expected.toUpperCase();
        same(Integer.fromString(upper, radix), ref.Integer.fromString(upper, radix), upper);
      }
      for (let i = -1; i < 8; i++) {
        assert.equal(a.getBits(i), b.getBits(i), `${s} getBits(${i})`);
        assert.equal(a.getBitsUnsigned(i), b.getBitsUnsigned(i), `${s} getBitsUnsigned(${i})`);
      }
      assert.equal(a.getSign(), untyped(b).getSign(), `${s} sign`);
      assert.equal(a.isZero(), b.isZero(), `${s} isZero`);
      assert.equal(a.isNegative(), b.isNegative(), `${s} isNegative`);
      assert.equal(a.isOdd(), b.isOdd(), `${s} isOdd`);
      assert.equal(a.toInt(), b.toInt(), `${s} toInt`);
      assert.equal(a.toNumber(), b.toNumber(), `${s} toNumber`);
      assert.equal(JSON.stringify(a), JSON.stringify(b), `${s} JSON`);
      assert.equal(a.inspect(), untyped(b).inspect(), `${s} inspect`);
      same(a.abs(), b.abs(), `abs ${s}`);
      same(a.negate(), b.negate(), `negate ${s}`);
      same(a.not(), b.not(), `not ${s}`);
    }
  });

  it("toNumber beyond 2^1024 as cassandra-driver's (its piece sum gives Infinity or NaN)", () => {
    for (const x of [2n ** 1023n, 2n ** 1100n, 2n ** 1100n + 2n ** 1030n, -(2n ** 1060n) - 5n]) {
      const a = Integer.fromBigInt(x), b = ref.Integer.fromString(x.toString());
      assert.ok(Object.is(a.toNumber(), b.toNumber()), `${x}: ${a.toNumber()} ${b.toNumber()}`);
    }
  });

  it("console.log shows the text, as cassandra-driver's inspect()", async () => {
    const { inspect } = await import("node:util");
    assert.equal(inspect(Integer.fromString("-42")), "Integer: -42");
  });

  it("toBuffer gives cassandra-driver's bytes; each reads the other's", () => {
    for (const s of TEXTS) {
      const [a, b] = pair(s);
      const ours = Integer.toBuffer(a), theirs = ref.Integer.toBuffer(b);
      assert.deepEqual([...ours], [...theirs], `toBuffer ${s}`);
      same(Integer.fromBuffer(theirs), b, `fromBuffer ${s}`);
      same(Integer.fromBuffer(new Uint8Array(theirs)), b, `fromBuffer Uint8Array ${s}`);
      same(a, ref.Integer.fromBuffer(Buffer.from(ours)), `theirs fromBuffer ${s}`);
    }
    const B = (globalThis as { Buffer?: { isBuffer(v: unknown): boolean } }).Buffer;
    if (B) assert.ok(B.isBuffer(Integer.toBuffer(Integer.ONE)));
    // Sign-extended (longer than needed) cells read the same.
    for (const bytes of [[0, 0, 5], [0xff, 0xff, 0xfb], [0, 0x80], [0xff, 0x7f], [], [0], [0xff]]) {
      const buf = Buffer.from(bytes);
      same(Integer.fromBuffer(buf), ref.Integer.fromBuffer(buf), `[${bytes}]`);
    }
  });

  it("fromBuffer/toBuffer on random bytes and values (property)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 40 }), (bytes) => {
        const buf = Buffer.from(bytes);
        const a = Integer.fromBuffer(bytes), b = ref.Integer.fromBuffer(buf);
        same(a, b, `[${bytes}]`);
        assert.deepEqual([...Integer.toBuffer(a)], [...ref.Integer.toBuffer(b)]);
      }),
      { numRuns: 500 },
    );
    fc.assert(
      fc.property(bigints, (v) => {
        const a = Integer.fromBigInt(v), b = ref.Integer.fromString(v.toString());
        assert.deepEqual([...Integer.toBuffer(a)], [...ref.Integer.toBuffer(b)], `${v}`);
        assert.equal(Integer.fromBuffer(Integer.toBuffer(a)).toBigInt(), v);
        assert.equal(a.toNumber(), b.toNumber(), `toNumber ${v}`);
        assert.equal(a.toInt(), b.toInt(), `toInt ${v}`);
      }),
      { numRuns: 500 },
    );
  });

  it("fromInt and fromNumber on odd numbers, as cassandra-driver", () => {
    const nums = [
      0,
      -0,
      1,
      -1,
      0.5,
      -0.5,
      1.5,
      -1.5,
      127,
      -128,
      128,
      2 ** 31 - 1,
      2 ** 31,
      -(2 ** 31),
      -(2 ** 31) - 1,
      2 ** 32,
      2 ** 32 + 5,
      -(2 ** 32),
      -(2 ** 32) - 5,
      2 ** 53 + 2,
      -(2 ** 53) - 2,
      1e20,
      -1e20,
      1.7976931348623157e308,
      -1.7976931348623157e308,
      NaN,
      Infinity,
      -Infinity,
    ];
    for (const n of nums) {
      assert.equal(
        text(() => Integer.fromNumber(n)),
        text(() => ref.Integer.fromNumber(n)),
        `fromNumber(${n})`,
      );
      assert.equal(
        text(() => Integer.fromInt(n)),
        text(() => ref.Integer.fromInt(n)),
        `fromInt(${n})`,
      );
    }
  });

  it("fromBits and the (bits, sign) constructor, as cassandra-driver", () => {
    const cases: number[][] = [
      [],
      [0],
      [-1],
      [5],
      [1, 2],
      [0x80000000 | 0],
      [0x7fffffff],
      [5, -1],
      [-1, 0],
      [0, -1],
      [1, 0x80000000 | 0],
      [-1, -1, 7],
      [0, 0, 0],
    ];
    for (const bits of cases) {
      assert.equal(
        Integer.fromBits(bits).toString(),
        ref.Integer.fromBits(bits).toString(),
        `[${bits}]`,
      );
      for (const sign of [0, -1]) {
        assert.equal(
          new Integer(bits, sign).toString(),
          new ref.Integer(bits, sign).toString(),
          `new [${bits}] ${sign}`,
        );
      }
    }
  });

  it("fromString: radix strings as cassandra-driver; empty, junk and bad radixes are refused", () => {
    const good: [string, number][] = [
      ["ff", 16],
      ["-FF", 16],
      ["zz", 36],
      ["-zzzzzzzzzzzzzzzzzzzzzzzzzz", 36],
      ["1010", 2],
      ["-777", 8],
      ["0000012", 10],
      ["-0", 10],
      ["123456789", 0],
      ["7fffffffffffffffffffffffffffffffffff", 16],
    ];
    for (const [s, radix] of good) {
      same(Integer.fromString(s, radix), ref.Integer.fromString(s, radix), `${s} radix ${radix}`);
    }
    for (const [s, radix] of [["", 10], ["1-2", 10], ["5", 1], ["5", 37], ["-", 10]] as const) {
      assert.equal(text(() => Integer.fromString(s, radix)), "throws", `ours ${s} ${radix}`);
      assert.equal(text(() => ref.Integer.fromString(s, radix)), "throws", `theirs ${s} ${radix}`);
    }
    // cassandra-driver reads these with parseInt ("12x" is 12, "19" in radix 8 is 1): refused here.
    for (
      const [s, radix] of [["12x", 10], ["19", 8], [" 5", 10], ["+5", 10], ["--5", 10]] as const
    ) {
      assert.throws(() => Integer.fromString(s, radix), TypeError, s);
    }
    assert.throws(() => Integer.fromString("", 10), TypeError);
    assert.throws(() => Integer.fromString("5", 37), RangeError);
    assert.throws(() => Integer.ONE.toString(1), RangeError);
    assert.throws(() => ref.Integer.ONE.toString(1));
    assert.throws(() => Integer.fromString(5 as unknown as string), TypeError);
  });

  it("arithmetic, comparison and bitwise operations over boundary pairs", () => {
    const vals = TEXTS.filter((_, i) => i % 3 === 0 || i > 30);
    let theirsRight = 0;
    for (const x of vals) {
      for (const y of vals) {
        const [a, ra] = pair(x), [b, rb] = pair(y);
        const at = `${x} ? ${y}`;
        same(a.add(b), ra.add(rb), `add ${at}`);
        same(a.subtract(b), ra.subtract(rb), `subtract ${at}`);
        if (exactly("multiply", a.multiply(b), ra.multiply(rb), BigInt(x) * BigInt(y), at)) {
          theirsRight++;
        }
        same(a.and(b), untyped(ra).and(rb), `and ${at}`);
        same(a.or(b), ra.or(rb), `or ${at}`);
        same(a.xor(b), ra.xor(rb), `xor ${at}`);
        assert.equal(a.compare(b), ra.compare(rb), `compare ${at}`);
        assert.equal(a.equals(b), ra.equals(rb), `equals ${at}`);
        assert.equal(a.notEquals(b), ra.notEquals(rb), `notEquals ${at}`);
        assert.equal(a.lessThan(b), ra.lessThan(rb), `lessThan ${at}`);
        assert.equal(a.lessThanOrEqual(b), ra.lessThanOrEqual(rb), `lte ${at}`);
        assert.equal(a.greaterThan(b), ra.greaterThan(rb), `greaterThan ${at}`);
        assert.equal(a.greaterThanOrEqual(b), ra.greaterThanOrEqual(rb), `gte ${at}`);
        if (y !== "0") {
          exactly("divide", a.divide(b), ra.divide(rb), BigInt(x) / BigInt(y), at);
          exactly("modulo", a.modulo(b), ra.modulo(rb), BigInt(x) % BigInt(y), at);
        }
      }
    }
    // Their multiply is right for most pairs; (2^64 - 1)^2 is one it gets wrong.
    assert.ok(theirsRight > vals.length ** 2 - 10);
    const m = 2n ** 64n - 1n;
    assert.equal(Integer.fromBigInt(m).multiply(Integer.fromBigInt(m)).toBigInt(), m * m);
    const rm = ref.Integer.fromString(m.toString());
    assert.notEqual(rm.multiply(rm).toString(), (m * m).toString());
  });

  it("shifts and shorten, as cassandra-driver", () => {
    for (const s of TEXTS) {
      const [a, b] = pair(s);
      for (const n of [0, 1, 7, 31, 32, 33, 63, 64, 65, 100, 200]) {
        same(a.shiftLeft(n), b.shiftLeft(n), `${s} << ${n}`);
        same(a.shiftRight(n), b.shiftRight(n), `${s} >> ${n}`);
      }
      for (const n of [1, 2, 8, 16, 31, 32, 33, 63, 64, 65, 128, 300]) {
        same(a.shorten(n), b.shorten(n), `${s} shorten ${n}`);
      }
    }
  });

  it("arithmetic on random values agrees with cassandra-driver and with bigint (property)", () => {
    fc.assert(
      fc.property(bigints, bigints, (x, y) => {
        const a = Integer.fromBigInt(x), b = Integer.fromBigInt(y);
        const ra = ref.Integer.fromString(x.toString()), rb = ref.Integer.fromString(y.toString());
        const at = `${x} ? ${y}`;
        exactly("add", a.add(b), ra.add(rb), x + y, at);
        exactly("subtract", a.subtract(b), ra.subtract(rb), x - y, at);
        exactly("multiply", a.multiply(b), ra.multiply(rb), x * y, at);
        same(a.and(b), untyped(ra).and(rb), `and ${at}`);
        same(a.or(b), ra.or(rb), `or ${at}`);
        same(a.xor(b), ra.xor(rb), `xor ${at}`);
        assert.equal(a.compare(b), ra.compare(rb), `compare ${at}`);
        assert.equal(a.equals(b), ra.equals(rb), `equals ${at}`);
        if (y !== 0n) {
          exactly("divide", a.divide(b), ra.divide(rb), x / y, at);
          exactly("modulo", a.modulo(b), ra.modulo(rb), x % y, at);
        }
      }),
      { numRuns: 400 },
    );
    fc.assert(
      fc.property(bigints, fc.integer({ min: 0, max: 160 }), (x, n) => {
        const a = Integer.fromBigInt(x), b = ref.Integer.fromString(x.toString());
        same(a.shiftLeft(n), b.shiftLeft(n), `${x} << ${n}`);
        same(a.shiftRight(n), b.shiftRight(n), `${x} >> ${n}`);
        if (n > 0) same(a.shorten(n), b.shorten(n), `${x} shorten ${n}`);
        for (let i = 0; i < 12; i++) assert.equal(a.getBits(i), b.getBits(i), `${x} bits ${i}`);
        for (const r of [2, 10, 16, 35]) assert.equal(a.toString(r), b.toString(r), `${x} r${r}`);
        assert.equal(a.toString(36), x.toString(36));
      }),
      { numRuns: 400 },
    );
  });

  it("division by zero and non-Integer operands are refused", () => {
    assert.throws(() => Integer.ONE.divide(Integer.ZERO), RangeError);
    assert.throws(() => Integer.ONE.modulo(Integer.ZERO), RangeError);
    assert.throws(() => ref.Integer.ONE.divide(ref.Integer.ZERO));
    assert.throws(() => Integer.ONE.add(1 as unknown as Ours), TypeError);
    assert.throws(() => Integer.ONE.compare(1 as unknown as Ours), TypeError);
    // cassandra-driver's equals is false for a number (it reads its sign_): so is ours.
    assert.equal(Integer.ONE.equals(1 as unknown as Ours), false);
    assert.equal(ref.Integer.ONE.equals(1 as unknown as Theirs), false);
    assert.equal(Integer.ONE.notEquals(1 as unknown as Ours), true);
  });
});

describe("compat Vector against cassandra-driver's types.Vector", () => {
  it("elements, length, subtype, index access, at, iteration, forEach, toString", () => {
    for (
      const [elements, subtype] of [
        [[1, 2.5, -3], "float"],
        [["a", "bc"], "varchar"],
        [[0], undefined],
        [new Float32Array([0.5, -1, 3]), "float"],
        [new Float32Array([1]), undefined],
      ] as [number[] | Float32Array, string | undefined][]
    ) {
      const a = new Vector(elements, subtype), b = new ref.Vector(elements, subtype);
      const at = `${String(elements)} ${subtype}`;
      assert.deepEqual(a.elements, b.elements, at);
      assert.ok(Array.isArray(a.elements), at);
      assert.equal(a.length, b.length, at);
      assert.equal(a.subtype, b.subtype, at);
      assert.equal(a.getSubtype(), b.getSubtype(), at);
      for (let i = -1; i <= a.length; i++) {
        assert.equal(a[i], untyped(b)[i], `${at} [${i}]`);
        assert.equal(a.at(i), b.at(i), `${at} at(${i})`);
      }
      assert.deepEqual([...a], [...b], at);
      const seen: unknown[][] = [], theirs: unknown[][] = [];
      a.forEach((v, i) => seen.push([v, i]));
      b.forEach((v, i) => theirs.push([v, i]));
      assert.deepEqual(seen, theirs, at);
      assert.equal(a.toString(), b.toString(), at);
      assert.equal(String(a), String(b), at);
      assert.equal(JSON.stringify(a), JSON.stringify(b), at);
      assert.deepEqual(Object.keys(a), Object.keys(b), at);
      assert.deepEqual({ ...a }, { ...b }, at);
      assert.equal(untyped(a).IDENTITY, untyped(b).IDENTITY, at);
    }
  });

  it("writes by index go to the elements", () => {
    const a = new Vector([1, 2, 3]), b = new ref.Vector([1, 2, 3]);
    a[1] = 20;
    untyped(b)[1] = 20;
    assert.deepEqual(a.elements, b.elements);
    a[0] = 0; // cassandra-driver's proxy throws here (its set trap returns the falsy value)
    assert.equal(a[0], 0);
    a.subtype = "int";
    assert.equal(a.getSubtype(), "int");
  });

  it("instanceof: true for vectors and every Float32Array, as cassandra-driver's", () => {
    const values: [string, unknown][] = [
      ["Vector", new Vector([1])],
      ["Float32Array", new Float32Array(2)],
      ["Array", [1, 2]],
      ["Float64Array", new Float64Array(2)],
      ["prototype object", Object.create(Vector.prototype)],
      ["null", null],
      ["number", 1],
    ];
    for (const [name, v] of values) {
      const theirs = name === "Vector"
        ? new ref.Vector([1])
        : name === "prototype object"
        ? Object.create(ref.Vector.prototype)
        : v;
      assert.equal(v instanceof Vector, theirs instanceof ref.Vector, name);
    }
    assert.ok(!(new ref.Vector([1]) instanceof Vector));
    assert.equal(untyped(Vector)[Symbol.species], Vector);
  });

  it("refuses what cassandra-driver refuses", () => {
    for (const bad of [[], new Float32Array(0), "abc", 5, null, new Float64Array([1])]) {
      assert.throws(() => new Vector(bad as number[]), TypeError, String(bad));
      assert.throws(() => new ref.Vector(bad as number[]), TypeError, String(bad));
    }
  });

  it("console.log shows the elements", async () => {
    const { inspect } = await import("node:util");
    assert.match(inspect(new Vector([1, 2], "float")), /1, 2/);
  });
});

describe("varint and vector cells through the compat boundary, both drivers", () => {
  // deno-lint-ignore no-explicit-any
  const encoder = new (cassandra as any).Encoder(4, {});
  const M = "org.apache.cassandra.db.marshal.";
  const typeInfo = (fq: string) => encoder.parseFqTypeName(fq);

  it("varint: their cells decode to our Integer; our bound Integer encodes their bytes", () => {
    const t = parseType("varint");
    for (const s of TEXTS) {
      const bytes: Buffer = encoder.encode(ref.Integer.fromString(s), 0x0e);
      const ours = fromNative(decode(t, bytes), t);
      assert.ok(ours instanceof Integer, s);
      assert.equal(String(ours), s);
      const bound = toNative(Integer.fromString(s));
      assert.equal(typeof bound, "bigint");
      assert.deepEqual([...encode(t, bound)], [...bytes], s);
      assert.equal(encoder.decode(Buffer.from(encode(t, bound)), { code: 0x0e }).toString(), s);
    }
    assert.equal(fromNative(null, t), null);
    assert.deepEqual(toNative([Integer.ONE, { n: Integer.fromInt(-2) }]), [1n, { n: -2n }]);
    const listed = fromNative([1n, -2n], parseType("list<varint>")) as Ours[];
    assert.ok(listed.every((x) => x instanceof Integer));
  });

  const VECTORS: [string, string, unknown][] = [
    ["vector<float, 3>", `${M}VectorType(${M}FloatType,3)`, new Float32Array([1.5, -2, 0.25])],
    ["vector<float, 2>", `${M}VectorType(${M}FloatType,2)`, [0.5, 3]],
    ["vector<double, 2>", `${M}VectorType(${M}DoubleType,2)`, [0.1, -1e300]],
    ["vector<int, 3>", `${M}VectorType(${M}Int32Type,3)`, [1, -2, 2147483647]],
    ["vector<text, 2>", `${M}VectorType(${M}UTF8Type,2)`, ["a", "žluť"]],
    ["vector<ascii, 1>", `${M}VectorType(${M}AsciiType,1)`, ["x"]],
    [
      "vector<bigint, 2>",
      `${M}VectorType(${M}LongType,2)`,
      [ref.Long.fromString("-5"), ref.Long.fromString("9007199254740993")],
    ],
    [
      "vector<varint, 2>",
      `${M}VectorType(${M}IntegerType,2)`,
      [ref.Integer.fromString("-129"), ref.Integer.fromString("123456789012345678901234567890")],
    ],
    [
      "vector<uuid, 1>",
      `${M}VectorType(${M}UUIDType,1)`,
      [ref.Uuid.fromString("0b2e7d5c-6f9e-4d38-9a2f-1d2c3b4a5e6f")],
    ],
    [
      "vector<list<int>, 2>",
      `${M}VectorType(${M}ListType(${M}Int32Type),2)`,
      [[1, 2], [3]],
    ],
    [
      "vector<vector<float, 2>, 2>",
      `${M}VectorType(${M}VectorType(${M}FloatType,2),2)`,
      [new ref.Vector([1, 2], "float"), new ref.Vector([3, 4], "float")],
    ],
  ];

  it("vectors: their cells decode to our Vector, with their subtype name and element classes", () => {
    for (const [cql, fq, elements] of VECTORS) {
      const info = typeInfo(fq);
      const t = parseType(cql);
      const bytes: Buffer = encoder.encode(new ref.Vector(elements as unknown[]), info);
      const theirs = encoder.decode(bytes, info);
      const ours = fromNative(decode(t, bytes), t) as InstanceType<typeof Vector>;
      assert.ok(ours instanceof Vector, cql);
      assert.ok(!(ours instanceof Float32Array), cql);
      assert.equal(ours.getSubtype(), theirs.getSubtype(), cql);
      assert.equal(subtypeName(t.kind === "vector" ? t.element : t), theirs.subtype, cql);
      assert.equal(ours.length, theirs.length, cql);
      assert.equal(ours.toString(), theirs.toString(), cql);
      assert.equal(JSON.stringify(ours), JSON.stringify(theirs), cql);
      for (let i = 0; i < ours.length; i++) {
        const x = ours[i] as object, y = theirs[i];
        assert.equal(x.constructor.name, y.constructor.name, `${cql} [${i}] class`);
        assert.equal(String(x), String(y), `${cql} [${i}]`);
      }
    }
  });

  it("vectors: our bound Vector (or Float32Array) encodes the bytes cassandra-driver writes", () => {
    const toOurs = (x: unknown): unknown => {
      if (x instanceof ref.Long) return types.Long.fromString(x.toString());
      if (x instanceof ref.Integer) return Integer.fromString(x.toString());
      if (x instanceof ref.Uuid) return types.Uuid.fromString(x.toString());
      if (x instanceof ref.Vector && !(x instanceof Float32Array)) {
        return new Vector(untyped(x).elements.map(toOurs), untyped(x).subtype);
      }
      return x;
    };
    for (const [cql, fq, elements] of VECTORS) {
      const info = typeInfo(fq);
      const t = parseType(cql);
      const theirs: Buffer = encoder.encode(new ref.Vector(elements as unknown[]), info);
      const ourElements = elements instanceof Float32Array
        ? elements
        : (elements as unknown[]).map(toOurs);
      const vector = new Vector(ourElements as unknown[]);
      assert.deepEqual([...encode(t, toNative(vector))], [...theirs], cql);
      // Decoded vectors go back in unchanged.
      const decoded = fromNative(decode(t, theirs), t);
      assert.deepEqual([...encode(t, toNative(decoded))], [...theirs], `${cql} round trip`);
    }
    const f32 = new Float32Array([1, 2]);
    assert.equal(toNative(f32), f32);
    assert.deepEqual(toNative(new Vector(f32)), [1, 2]);
    assert.deepEqual(toNative({ v: new Vector([types.Long.ONE]) }), { v: [1n] });
  });

  it("subtype names of other element types, as cassandra-driver's getDataTypeNameByCode", () => {
    const cases: [string, string][] = [
      ["map<text, int>", `${M}MapType(${M}UTF8Type,${M}Int32Type)`],
      ["set<timeuuid>", `${M}SetType(${M}TimeUUIDType)`],
      ["tuple<int, text>", `${M}TupleType(${M}Int32Type,${M}UTF8Type)`],
      ["duration", `${M}DurationType`],
      ["timestamp", `${M}TimestampType`],
      ["counter", `${M}CounterColumnType`],
    ];
    const byCode = untyped(ref).getDataTypeNameByCode;
    for (const [cql, fq] of cases) {
      assert.equal(subtypeName(parseType(cql)), byCode(typeInfo(fq)), cql);
    }
  });
});
