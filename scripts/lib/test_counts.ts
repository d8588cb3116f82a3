/**
 * Pass/fail counts from what `deno test` and `bun test` print. Counts are of leaf tests, so a
 * node:test `describe` with three `it`s is 3 under both runners (Deno also reports the
 * `describe` itself, as a test with steps; its JUnit report tells us which ones to subtract).
 * A runner that prints no summary, or exits non-zero with nothing failed, counts one failure.
 * @module
 */

/** Counts of one runner invocation. */
export interface Counts {
  passed: number;
  failed: number;
  ignored: number;
  /** Why the counts were adjusted (crash, exit code), if they were. */
  note?: string;
}

// deno-lint-ignore no-control-regex
const ANSI = /\x1b\[[0-9;]*[A-Za-z]/g;

/** Removes terminal colour codes. */
export function stripAnsi(s: string): string {
  return s.replace(ANSI, "");
}

function entities(s: string): string {
  return s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&amp;/g, "&");
}

/** Deno's JUnit test cases that have steps (their name prefixes another's `name > `). */
export function denoParents(junit: string): { passed: number; failed: number; ignored: number } {
  const cases = junit.split("<testcase ").slice(1).map((chunk) => {
    const body = chunk.slice(0, chunk.indexOf("</testcase>") >>> 0);
    return {
      name: entities(/^name="([^"]*)"/.exec(chunk)?.[1] ?? ""),
      failed: body.includes("<failure"),
      skipped: body.includes("<skipped"),
    };
  });
  const out = { passed: 0, failed: 0, ignored: 0 };
  for (const c of cases) {
    if (!cases.some((o) => o.name.startsWith(`${c.name} > `))) continue;
    if (c.failed) out.failed++;
    else if (c.skipped) out.ignored++;
    else out.passed++;
  }
  return out;
}

/**
 * Parses Deno's final line, e.g. `FAILED | 2 passed (1 step) | 1 failed (1 step) | 0 ignored`,
 * counting steps and subtracting step parents found in `junit` (may be empty).
 */
export function denoCounts(output: string, exitCode: number, junit = ""): Counts {
  const re =
    /^(?:ok|FAILED) \| (\d+) passed(?: \((\d+) steps?\))? \| (\d+) failed(?: \((\d+) steps?\))?(?: \| (\d+) ignored(?: \((\d+) steps?\))?)?/gm;
  let m: RegExpExecArray | null = null;
  for (let x; (x = re.exec(stripAnsi(output))) !== null;) m = x;
  if (!m) return crashed(exitCode);
  const n = (i: number) => Number(m![i] ?? 0);
  const parents = denoParents(junit);
  const reported = n(3) + n(4);
  const counts: Counts = {
    passed: Math.max(0, n(1) + n(2) - parents.passed),
    failed: Math.max(reported > 0 ? 1 : 0, reported - parents.failed),
    ignored: Math.max(0, n(5) + n(6) - parents.ignored),
  };
  return checkExit(counts, exitCode);
}

/** Parses Bun's summary lines ` 3 pass`, ` 1 fail`, ` 1 skip`, ` 1 error`. */
export function bunCounts(output: string, exitCode: number): Counts {
  const text = stripAnsi(output);
  const grab = (word: string) => {
    const all = [...text.matchAll(new RegExp(`^\\s*(\\d+) ${word}\\s*$`, "gm"))];
    return all.length ? Number(all[all.length - 1][1]) : null;
  };
  const pass = grab("pass");
  const fail = grab("fail");
  if (pass === null && fail === null) return crashed(exitCode);
  const errors = grab("errors?") ?? 0;
  const counts: Counts = {
    passed: pass ?? 0,
    // Unhandled errors are usually attributed to a failing test already; never drop them.
    failed: Math.max(fail ?? 0, errors),
    ignored: grab("skip") ?? 0,
  };
  return checkExit(counts, exitCode);
}

function crashed(exitCode: number): Counts {
  return { passed: 0, failed: 1, ignored: 0, note: `no test summary (exit ${exitCode})` };
}

function checkExit(c: Counts, exitCode: number): Counts {
  if (exitCode !== 0 && c.failed === 0) {
    return { ...c, failed: 1, note: `exit ${exitCode} with no failed test` };
  }
  return c;
}
