import { describe, it } from "node:test";
import assert from "node:assert/strict";
// @ts-types="../../node_modules/fast-check/lib/fast-check.d.ts"
import fc from "fast-check";
import { ProtocolError } from "../../src/errors.ts";
import { formatDate } from "../../src/wire/codec/temporal.ts";
import { assertEncodeError, decode, encode, encodeFull, roundTrip } from "./codec_helpers.ts";

const RUNS = { numRuns: 300 };

describe("timestamp", () => {
  it("encodes epoch milliseconds as a signed 64-bit integer", () => {
    assert.deepEqual([...encodeFull("timestamp", new Date(1000))], [
      0,
      0,
      0,
      8, // length
      0,
      0,
      0,
      0,
      0,
      0,
      0x03,
      0xe8, // 1000 ms
    ]);
    assert.deepEqual([...encode("timestamp", -1)], [
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ]);
    assert.deepEqual([...encode("timestamp", 2n ** 40n)], [0, 0, 1, 0, 0, 0, 0, 0]);
  });

  it("decodes to Date, including before 1970 and at the Date range edges", () => {
    for (const ms of [0, 1, -1, 1700000000123, -62135596800000, 8.64e15, -8.64e15]) {
      const d = roundTrip("timestamp", new Date(ms));
      assert.ok(d instanceof Date);
      assert.equal(d.getTime(), ms);
    }
    assert.equal((roundTrip("timestamp", 1234) as Date).getTime(), 1234);
  });

  it("gives an invalid Date beyond the Date range rather than failing", () => {
    const d = decode("timestamp", [0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff]) as Date;
    assert.ok(Number.isNaN(d.getTime()));
  });

  it("refuses invalid Dates, fractional numbers and other kinds", () => {
    assertEncodeError(
      "timestamp",
      new Date(NaN),
      RangeError,
      'column "c" (timestamp): invalid Date',
    );
    assertEncodeError(
      "timestamp",
      1.5,
      RangeError,
      'column "c" (timestamp): 1.5 is not an integer',
    );
    assertEncodeError(
      "timestamp",
      "2024-01-01",
      TypeError,
      'column "c" (timestamp): expected a Date, an epoch-milliseconds number or a bigint, got string',
    );
  });

  it("round-trips any valid Date (property)", () => {
    fc.assert(
      fc.property(fc.date({ noInvalidDate: true }), (d) => {
        return (roundTrip("timestamp", d) as Date).getTime() === d.getTime();
      }),
      RUNS,
    );
  });
});

describe("date", () => {
  it("counts days from 2^31 = 1970-01-01", () => {
    assert.deepEqual([...encodeFull("date", "1970-01-01")], [
      0,
      0,
      0,
      4, // length
      0x80,
      0,
      0,
      0, // 2^31
    ]);
    assert.deepEqual([...encode("date", "1970-01-02")], [0x80, 0, 0, 1]);
    assert.deepEqual([...encode("date", "1969-12-31")], [0x7f, 0xff, 0xff, 0xff]);
  });

  it("matches the spec's examples at both ends of the range", () => {
    assert.equal(decode("date", [0, 0, 0, 0]), "-5877641-06-23");
    assert.equal(decode("date", [0xff, 0xff, 0xff, 0xff]), "+5881580-07-11");
    assert.deepEqual([...encode("date", "-5877641-06-23")], [0, 0, 0, 0]);
    assert.deepEqual([...encode("date", "+5881580-07-11")], [0xff, 0xff, 0xff, 0xff]);
  });

  it("formats years outside 0000-9999 like ISO 8601 / java.time and reads them back", () => {
    for (
      const s of [
        "0000-01-01",
        "-0001-12-31",
        "9999-12-31",
        "+10000-01-01",
        "-10000-02-29",
        "0001-01-01",
      ]
    ) {
      assert.equal(roundTrip("date", s), s);
    }
    assert.equal(roundTrip("date", "10000-01-01"), "+10000-01-01");
  });

  it("knows leap years", () => {
    assert.equal(roundTrip("date", "2000-02-29"), "2000-02-29");
    assert.equal(roundTrip("date", "2024-02-29"), "2024-02-29");
    assertEncodeError(
      "date",
      "1900-02-29",
      RangeError,
      'column "c" (date): day 29 is out of range [1, 28]',
    );
    assertEncodeError(
      "date",
      "2023-04-31",
      RangeError,
      'column "c" (date): day 31 is out of range [1, 30]',
    );
    assertEncodeError(
      "date",
      "2023-13-01",
      RangeError,
      'column "c" (date): month 13 is out of range [1, 12]',
    );
  });

  it("accepts a Date (its UTC day)", () => {
    assert.equal(roundTrip("date", new Date(Date.UTC(2024, 4, 17, 23, 59))), "2024-05-17");
    assert.equal(roundTrip("date", new Date(Date.UTC(1969, 11, 31, 12))), "1969-12-31");
  });

  it("refuses malformed text, out-of-range dates and other kinds", () => {
    for (const bad of ["2024-1-01", "2024/01/01", "24-01-01", "2024-01-01T00:00", ""]) {
      assertEncodeError(
        "date",
        bad,
        TypeError,
        'column "c" (date): expected a "YYYY-MM-DD" string or a Date, got a malformed string',
      );
    }
    assertEncodeError(
      "date",
      "+5881580-07-12",
      RangeError,
      'column "c" (date): the date is out of range [-5877641-06-23, +5881580-07-11]',
    );
    assertEncodeError("date", new Date(NaN), RangeError, 'column "c" (date): invalid Date');
    assertEncodeError(
      "date",
      19000,
      TypeError,
      'column "c" (date): expected a "YYYY-MM-DD" string or a Date, got number',
    );
  });

  it("agrees with Date for years 0-9999 and round-trips every day (property)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -719528, max: 2932896 }), (days) => {
        return formatDate(days) === new Date(days * 86400000).toISOString().slice(0, 10);
      }),
      RUNS,
    );
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (u) => {
        const bytes = [u >>> 24, (u >>> 16) & 0xff, (u >>> 8) & 0xff, u & 0xff];
        assert.deepEqual([...encode("date", decode("date", bytes))], bytes);
      }),
      RUNS,
    );
  });
});

describe("time", () => {
  const MAX = 86399999999999n;

  it("is nanoseconds since midnight as a bigint", () => {
    assert.deepEqual([...encodeFull("time", 1_000_000_000n)], [
      0,
      0,
      0,
      8, // length
      0,
      0,
      0,
      0,
      0x3b,
      0x9a,
      0xca,
      0x00, // 1e9 ns
    ]);
    assert.equal(roundTrip("time", 0n), 0n);
    assert.equal(roundTrip("time", MAX), MAX);
    assert.equal(roundTrip("time", 5), 5n);
  });

  it("parses HH:MM:SS[.fffffffff]", () => {
    assert.equal(roundTrip("time", "00:00:00"), 0n);
    assert.equal(roundTrip("time", "23:59:59.999999999"), MAX);
    assert.equal(roundTrip("time", "12:34:56.5"), 45296500000000n);
    assert.equal(roundTrip("time", "01:02:03.000000007"), 3723000000007n);
  });

  it("refuses out-of-range times, malformed text and other kinds", () => {
    assertEncodeError(
      "time",
      MAX + 1n,
      RangeError,
      'column "c" (time): 86400000000000 is out of range [0, 86399999999999]',
    );
    assertEncodeError(
      "time",
      -1,
      RangeError,
      'column "c" (time): -1 is out of range [0, 86399999999999]',
    );
    assertEncodeError(
      "time",
      "24:00:00",
      RangeError,
      'column "c" (time): hour 24 is out of range [0, 23]',
    );
    assertEncodeError(
      "time",
      "10:60:00",
      RangeError,
      'column "c" (time): minute 60 is out of range [0, 59]',
    );
    assertEncodeError(
      "time",
      "1:00:00",
      TypeError,
      'column "c" (time): expected a bigint, a number of nanoseconds or an "HH:MM:SS[.fffffffff]" string, got a malformed string',
    );
    assertEncodeError(
      "time",
      "10:00:00.1234567890",
      TypeError,
      'column "c" (time): expected a bigint, a number of nanoseconds or an "HH:MM:SS[.fffffffff]" string, got a malformed string',
    );
    assertEncodeError(
      "time",
      new Date(),
      TypeError,
      'column "c" (time): expected a bigint, a number of nanoseconds or an "HH:MM:SS[.fffffffff]" string, got Date',
    );
  });

  it("round-trips every valid time (property)", () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 0n, max: MAX }), (t) => roundTrip("time", t) === t),
      RUNS,
    );
  });
});

describe("duration", () => {
  it("encodes three zig-zag vints", () => {
    assert.deepEqual([...encodeFull("duration", { months: 1, days: 2, nanoseconds: 3n })], [
      0,
      0,
      0,
      3, // length
      0x02, // months 1 → zig-zag 2
      0x04, // days 2 → 4
      0x06, // nanoseconds 3 → 6
    ]);
    assert.deepEqual([...encode("duration", { months: -1, days: -64, nanoseconds: 0n })], [
      0x01, // -1 → 1
      0x7f, // -64 → 127, still one byte
      0x00,
    ]);
    assert.deepEqual([...encode("duration", { days: 64 })], [
      0x00,
      0x80,
      0x80, // 64 → 128: two bytes, first starts with a single 1 bit
      0x00,
    ]);
  });

  it("uses the 9-byte form for the widest nanoseconds", () => {
    const min = { months: 0, days: 0, nanoseconds: -(2n ** 63n) };
    assert.deepEqual([...encode("duration", min)], [
      0,
      0,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
      0xff,
    ]);
    assert.deepEqual(roundTrip("duration", min), min);
    const max = { months: 2147483647, days: 2147483647, nanoseconds: 2n ** 63n - 1n };
    assert.deepEqual(roundTrip("duration", max), max);
  });

  it("defaults omitted fields to 0 and accepts number nanoseconds", () => {
    assert.deepEqual(roundTrip("duration", { days: 3 }), { months: 0, days: 3, nanoseconds: 0n });
    assert.deepEqual(roundTrip("duration", { nanoseconds: -7 }), {
      months: 0,
      days: 0,
      nanoseconds: -7n,
    });
  });

  it("refuses mixed signs, bad fields and other kinds", () => {
    assertEncodeError(
      "duration",
      { months: 1, days: -1 },
      RangeError,
      'column "c" (duration): months, days and nanoseconds must not have different signs',
    );
    assertEncodeError(
      "duration",
      { months: 1, weeks: 2 },
      TypeError,
      'column "c" (duration): unknown field "weeks"; a duration has months, days and nanoseconds',
    );
    assertEncodeError(
      "duration",
      { months: "1" },
      TypeError,
      'column "c" (duration): months: expected an integer number, got string',
    );
    assertEncodeError(
      "duration",
      { days: 2 ** 31 },
      RangeError,
      'column "c" (duration): days: 2147483648 is not an integer in [-2147483648, 2147483647]',
    );
    assertEncodeError(
      "duration",
      { nanoseconds: 2n ** 63n },
      RangeError,
      'column "c" (duration): nanoseconds: 9223372036854775808 is out of range [-9223372036854775808, 9223372036854775807]',
    );
    assertEncodeError(
      "duration",
      "P1D",
      TypeError,
      'column "c" (duration): expected a { months, days, nanoseconds } object, got string',
    );
  });

  it("rejects truncated, oversized and trailing bytes", () => {
    assert.throws(() => decode("duration", [0x02, 0x04]), {
      name: "ProtocolError",
      message: "cannot decode duration value: truncated variable-length integer",
    });
    assert.throws(() => decode("duration", [0x02, 0xc0, 0x01]), ProtocolError);
    assert.throws(() => decode("duration", [0x02, 0x04, 0x06, 0x00]), {
      name: "ProtocolError",
      message: "cannot decode duration value: 1 bytes after the value",
    });
    // months = 2^32 does not fit an int
    assert.throws(() => decode("duration", [0xf0, 0x02, 0, 0, 0, 0, 0, 0]), ProtocolError);
  });

  it("round-trips any same-signed duration (property)", () => {
    const int = fc.integer({ min: 0, max: 2147483647 });
    fc.assert(
      fc.property(
        int,
        int,
        fc.bigInt({ min: 0n, max: 2n ** 63n - 1n }),
        fc.boolean(),
        (m, d, n, neg) => {
          const v = neg
            ? { months: -m, days: -d, nanoseconds: -n }
            : { months: m, days: d, nanoseconds: n };
          assert.deepEqual(roundTrip("duration", v), {
            months: v.months + 0,
            days: v.days + 0,
            nanoseconds: v.nanoseconds,
          });
        },
      ),
      RUNS,
    );
  });
});
