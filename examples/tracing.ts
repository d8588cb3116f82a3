/**
 * OpenTelemetry: spans for every request through `@opentelemetry/api`
 * (installed by the application; the driver imports it only because
 * `openTelemetry()` was called). Here the spans go to the console exporter.
 *
 *   deno run -A examples/tracing.ts
 *   bun examples/tracing.ts
 *
 * Contact points come from CQL_HOSTS (comma-separated), default 127.0.0.1:9042.
 * @module
 */

import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from "@opentelemetry/sdk-trace-base";
import { SessionBuilder } from "../mod.ts";
import { contactPoints } from "./env.ts";

const exporter = new InMemorySpanExporter();
const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });

const session = await new SessionBuilder()
  .knownNodes(contactPoints())
  .openTelemetry({ tracerProvider: provider, captureStatementText: true })
  .build();
try {
  await session.execute("SELECT release_version FROM system.local");
  await session.execute("SELECT * FROM system.no_such_table").catch(() => {});
} finally {
  await session.close();
}
const spans = exporter.getFinishedSpans();
for (const s of spans) {
  const a = s.attributes;
  console.log(
    `${s.name} [${s.status.code === 2 ? "ERROR" : "ok"}] ${a["db.system.name"] ?? ""} ` +
      `${a["server.address"] ?? ""}:${a["server.port"] ?? ""} ${a["db.query.text"] ?? ""}`,
  );
}
if (spans.length < 4) throw new Error(`expected request and attempt spans, got ${spans.length}`);
