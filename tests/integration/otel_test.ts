// OpenTelemetry spans against the real node, collected by sdk-trace-base's in-memory
// exporter: the span tree of a paged query, of a retried request and of a speculative one.
import { after, before, describe, it } from "node:test";
import assert from "node:assert/strict";
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import {
  ConstantSpeculativeExecutionPolicy,
  InvalidQueryError,
  Query,
  type RetryPolicy,
  type Session,
} from "../../mod.ts";
import {
  connect,
  createKeyspace,
  dropKeyspace,
  eventually,
  plainBuilder,
  uniqueKeyspace,
} from "./helpers.ts";

const KS = uniqueKeyspace("otel");
const CLIENT = 2; // SpanKind.CLIENT
const ERROR = 2; // SpanStatusCode.ERROR

const parentOf = (s: ReadableSpan) =>
  (s as unknown as { parentSpanContext?: { spanId: string }; parentSpanId?: string })
    .parentSpanContext?.spanId ?? (s as unknown as { parentSpanId?: string }).parentSpanId;

function tree(spans: readonly ReadableSpan[]) {
  const roots = spans.filter((s) => parentOf(s) === undefined);
  return roots.map((r) => ({
    span: r,
    children: spans.filter((c) => parentOf(c) === r.spanContext().spanId),
  }));
}

describe("OpenTelemetry spans (real node)", () => {
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  let s: Session;
  let retries = 0;
  const retryOnce: RetryPolicy = {
    decide: (e, ctx) => {
      if (e instanceof InvalidQueryError && ctx.retryCount === 0) {
        retries++;
        return "retry_same";
      }
      return "rethrow";
    },
  };

  before(async () => {
    s = await connect(
      plainBuilder().openTelemetry({ tracerProvider: provider, captureStatementText: true })
        .executionProfile("retry", { retryPolicy: retryOnce })
        .executionProfile("spec", {
          speculativeExecution: new ConstantSpeculativeExecutionPolicy(0, 2),
        }),
    );
    await createKeyspace(s, KS);
    await s.execute(`CREATE TABLE ${KS}.t (p int, c int, PRIMARY KEY (p, c))`);
    const ins = await s.prepare(`INSERT INTO ${KS}.t (p, c) VALUES (?, ?)`);
    for (let c = 0; c < 10; c++) await s.executePrepared(ins, [0, c]);
    // A read that keeps the node busy for milliseconds, so a speculative execution with no
    // delay starts before the first answer even on a warm loopback node.
    await s.execute(`CREATE TABLE ${KS}.big (p int, c int, v text, PRIMARY KEY (p, c))`);
    const big = await s.prepare(`INSERT INTO ${KS}.big (p, c, v) VALUES (0, ?, ?)`);
    const filler = "x".repeat(400);
    for (let c = 0; c < 3000; c += 100) {
      await Promise.all(
        Array.from({ length: 100 }, (_, i) => s.executePrepared(big, [c + i, filler])),
      );
    }
  });
  after(async () => {
    await dropKeyspace(s, KS);
    await s?.close();
  });

  it("a paged query: one CLIENT span per page, each with its attempt", async () => {
    exporter.reset();
    const ps = (await s.prepare(`SELECT c FROM ${KS}.t WHERE p = ?`)).withPageSize(4);
    exporter.reset();
    assert.equal((await s.executePrepared(ps, [0])).length, 10);
    const t = tree(exporter.getFinishedSpans());
    assert.equal(t.length, 3); // 4 + 4 + 2 rows
    for (const { span, children } of t) {
      assert.equal(span.name, `SELECT ${KS}.t`);
      assert.equal(span.kind, CLIENT);
      const a = span.attributes;
      assert.ok(a["db.system.name"] === "cassandra" || a["db.system.name"] === "scylladb");
      assert.equal(a["db.namespace"], KS);
      assert.equal(a["db.collection.name"], "t");
      assert.equal(a["db.operation.name"], "SELECT");
      assert.equal(a["db.query.text"], `SELECT c FROM ${KS}.t WHERE p = ?`);
      assert.equal(a["cassandra.page.size"], 4);
      assert.equal(a["cassandra.consistency.level"], "local_quorum");
      assert.equal(a["cassandra.query.idempotent"], false);
      assert.equal(typeof a["server.address"], "string");
      assert.equal(children.length, 1);
      assert.equal(children[0].attributes["rsylla.attempt"], 1);
      assert.equal(children[0].attributes["rsylla.speculative"], false);
      assert.equal(typeof children[0].attributes["server.port"], "number");
    }
  });

  it("a retried request: two attempts under one span, errors recorded with status", async () => {
    exporter.reset();
    await assert.rejects(
      s.execute(`SELECT * FROM ${KS}.missing`, undefined, { profile: "retry" }),
      InvalidQueryError,
    );
    assert.equal(retries, 1);
    const t = tree(exporter.getFinishedSpans().filter((x) => x.name.startsWith("SELECT")));
    assert.equal(t.length, 1);
    const { span, children } = t[0];
    assert.equal(span.status.code, ERROR);
    assert.equal(span.attributes["error.type"], "InvalidQueryError");
    assert.equal(span.attributes["db.response.status_code"], "0x2200");
    assert.ok(span.events.some((e) => e.name === "exception"));
    assert.deepEqual(children.map((c) => c.attributes["rsylla.attempt"]).sort(), [1, 2]);
    assert.ok(children.every((c) => c.status.code === ERROR));
  });

  it("a speculative request: the count on the request span, attempts marked", async () => {
    const q = new Query(`SELECT v FROM ${KS}.big WHERE p = 0`).setIdempotent(true)
      .withExecutionProfile("spec");
    // The request span ends with the first answer; a losing execution's attempt may end later.
    let t: ReturnType<typeof tree> = [];
    for (let run = 0; run < 10; run++) {
      exporter.reset();
      assert.equal((await s.query(q)).length, 3000);
      t = await eventually(
        "the request span and its attempts",
        () => {
          const now = tree(exporter.getFinishedSpans());
          return Promise.resolve(now.length === 1 && now[0].children.length >= 1 ? now : undefined);
        },
        5_000,
        10,
      );
      if (t[0].span.attributes["cassandra.speculative_execution.count"] !== undefined) break;
    }
    const { span, children } = t[0];
    assert.equal(span.attributes["cassandra.speculative_execution.count"], 1);
    assert.equal(span.attributes["cassandra.query.idempotent"], true);
    assert.ok(children.length >= 1);
    assert.ok(children.some((c) => c.attributes["rsylla.speculative"] === false));
    // With more than one node the speculative execution reaches a second coordinator.
    if (s.getClusterData().nodes.length > 1) {
      assert.ok(children.some((c) => c.attributes["rsylla.speculative"] === true));
      assert.ok(children.some((c) => c.name.endsWith("speculative execution")));
    }
  });
});
