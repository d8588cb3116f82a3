/**
 * Test cases by name from the runners' reports (Deno's and Bun's JUnit files, Node's TAP), so
 * the CI summary can count distinct tests across runtimes and list every skipped test with its
 * reason. The runners report no skip reason in JUnit; the reason is read from the test's source
 * (`{ skip: "why" }`, a constant it names, or the comment above an `it.skip`). Counts of passed
 * and failed tests still come from the runners' own summaries (`test_counts.ts`).
 * @module
 */

/** One test as a runner reported it. */
export interface TestCase {
  /** `describe > … > it`, the same on every runtime. */
  name: string;
  status: "passed" | "failed" | "skipped";
  /** Source file relative to the repository, when the runner says. */
  file?: string;
  line?: number;
  /** Skip reason, when the runner says (Node's TAP does). */
  reason?: string;
  /** The failure's message on one line, when the runner says (the JUnit reports do). */
  message?: string;
}

function entities(s: string): string {
  return s.replace(/&gt;/g, ">").replace(/&lt;/g, "<").replace(/&quot;/g, '"')
    .replace(/&apos;/g, "'").replace(/&#10;/g, " ").replace(/&amp;/g, "&");
}

function attr(tag: string, name: string): string | undefined {
  const m = new RegExp(`\\s${name}="([^"]*)"`).exec(tag);
  return m ? entities(m[1]) : undefined;
}

/**
 * Deno's JUnit: leaf cases only (a case whose name prefixes another's `name > ` has steps and is
 * a `describe`).
 */
export function denoCases(junit: string): TestCase[] {
  const all = junit.split("<testcase ").slice(1).map((chunk) => {
    const end = chunk.indexOf("</testcase>");
    const head = chunk.slice(0, chunk.indexOf(">"));
    const body = end < 0 ? "" : chunk.slice(0, end);
    const status: TestCase["status"] = body.includes("<failure")
      ? "failed"
      : body.includes("<skipped")
      ? "skipped"
      : "passed";
    const classname = attr(" " + head, "classname") ?? "";
    const file = classname.startsWith("./") ? classname.slice(2) : undefined;
    const message = status === "failed" ? failureMessage(body) : undefined;
    return { name: attr(" " + head, "name") ?? "", status, file, message };
  });
  return all.filter((c) => !all.some((o) => o.name.startsWith(`${c.name} > `)));
}

/** A JUnit `<failure message="…">` (or its text) on one line, at most 300 characters. */
function failureMessage(xml: string): string | undefined {
  const at = xml.indexOf("<failure");
  if (at < 0) return undefined;
  const tag = xml.slice(at, xml.indexOf(">", at) + 1);
  const text = attr(" " + tag.slice(8), "message") ??
    entities(xml.slice(at + tag.length).replace(/<[^>]*>/g, " ").trim());
  const line = text.replace(/\s+/g, " ").trim();
  return line ? line.slice(0, 300) : undefined;
}

/** Bun's JUnit (`--reporter=junit`): nested suites below the file make the name's prefix. */
export function bunCases(junit: string, dir: string): TestCase[] {
  const out: TestCase[] = [];
  const stack: { name: string; file: boolean }[] = [];
  const re = /<(\/?)(testsuite|testcase)\b([^>]*?)(\/?)>|<skipped|<failure/g;
  let open: TestCase | null = null;
  for (let m; (m = re.exec(junit)) !== null;) {
    if (m[0] === "<skipped" || m[0] === "<failure") {
      if (open) open.status = m[0] === "<skipped" ? "skipped" : "failed";
      if (open && m[0] === "<failure") {
        open.message = failureMessage(junit.slice(m.index, m.index + 4000));
      }
      continue;
    }
    const [, close, tag, attrs, selfClose] = m;
    if (tag === "testsuite") {
      if (close) stack.pop();
      else {
        const name = attr(attrs, "name") ?? "";
        // The first level under <testsuites> is the file.
        stack.push({ name, file: stack.length === 0 });
      }
      continue;
    }
    if (close) {
      open = null;
      continue;
    }
    const prefix = stack.filter((s) => !s.file).map((s) => s.name);
    const file = attr(attrs, "file");
    const line = Number(attr(attrs, "line") ?? NaN);
    const c: TestCase = {
      name: [...prefix, attr(attrs, "name") ?? ""].join(" > "),
      status: "passed",
      file: file
        ? (file.startsWith(dir) ? file : `${dir}/${file.replace(/^\.\//, "")}`)
        : undefined,
      line: Number.isFinite(line) ? line : undefined,
    };
    out.push(c);
    open = selfClose ? null : c;
  }
  return out;
}

/** Node's TAP (`--test-reporter=tap`): leaves of the `# Subtest:` tree, with `# SKIP` reasons. */
export function nodeCases(tap: string): TestCase[] {
  const out: TestCase[] = [];
  const path: string[] = [];
  /** Per depth: whether a deeper subtest started since this one's `# Subtest:`. */
  const hasChildren: boolean[] = [];
  for (const raw of tap.split("\n")) {
    const indent = raw.length - raw.trimStart().length;
    const depth = indent >> 2;
    const line = raw.trim();
    const sub = /^# Subtest: (.*)$/.exec(line);
    if (sub) {
      path.length = depth;
      path[depth] = sub[1];
      hasChildren.length = depth + 1;
      hasChildren[depth] = false;
      for (let d = 0; d < depth; d++) hasChildren[d] = true;
      continue;
    }
    const ok = /^(not ok|ok) \d+ - (.*?)(?: # (SKIP|TODO)\b ?(.*))?$/.exec(line);
    if (!ok || path[depth] === undefined) continue;
    if (hasChildren[depth]) continue; // a describe
    out.push({
      name: path.slice(0, depth + 1).join(" > "),
      status: ok[3] ? "skipped" : ok[1] === "ok" ? "passed" : "failed",
      reason: ok[3] ? (ok[4] || undefined) : undefined,
    });
  }
  return out;
}

/** Text of a file, cached. */
const sources = new Map<string, string[]>();
function linesOf(root: string, file: string): string[] {
  let l = sources.get(file);
  if (!l) {
    try {
      l = Deno.readTextFileSync(`${root}/${file}`).split("\n");
    } catch {
      l = [];
    }
    sources.set(file, l);
  }
  return l;
}

/** Every `*_test.*` file under `dir` (relative to `root`). */
export function testFiles(root: string, dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of Deno.readDirSync(`${root}/${d}`)) {
      if (e.isDirectory) walk(`${d}/${e.name}`);
      else if (/_test\.(ts|js|mjs)$/.test(e.name)) out.push(`${d}/${e.name}`);
    }
  };
  try {
    walk(dir);
  } catch { /* no such dir */ }
  return out.sort();
}

/**
 * Why a skipped test is skipped, from its source: the `skip:` option of its `it`/`describe`
 * (a string literal, or the string a named constant holds, or else the condition as written),
 * or the comment lines above an `it.skip(`. Searches `files` for the test's last name segment
 * when the runner gave no line.
 */
export function skipReason(root: string, c: TestCase, files: string[]): string {
  if (c.reason) return c.reason;
  const segments = c.name.split(" > ");
  const candidates = c.file ? [c.file, ...files.filter((f) => f !== c.file)] : files;
  for (const seg of [...segments].reverse()) {
    const needle = JSON.stringify(seg).slice(1, -1);
    for (const file of candidates) {
      const lines = linesOf(root, file);
      const at = c.line && file === c.file && seg === segments.at(-1)
        ? c.line - 1
        : lines.findIndex((l) =>
          l.includes(`"${needle}"`) || l.includes(`'${seg}'`) || l.includes(`\`${seg}\``)
        );
      if (at < 0) continue;
      const text = lines.slice(at, at + 8).join("\n");
      const opt = /skip:\s*/.exec(text);
      if (opt) return describeSkip(skipExpression(text, opt.index + opt[0].length), lines);
      if (/\b(it|test|describe)\.skip\(/.test(lines[at])) {
        const comments: string[] = [];
        for (let i = at - 1; i >= 0 && /^\s*\/\//.test(lines[i]); i--) {
          comments.unshift(lines[i].trim().replace(/^\/\/\s?/, ""));
        }
        return comments.join(" ") || "it.skip, no comment";
      }
    }
  }
  return "no reason found in the source";
}

/** The option's expression from `at`: up to a `,` or `}` outside brackets and strings. */
function skipExpression(text: string, at: number): string {
  let depth = 0, quote = "";
  let i = at;
  for (; i < text.length; i++) {
    const ch = text[i];
    if (quote) {
      if (ch === "\\") i++;
      else if (ch === quote) quote = "";
      continue;
    }
    if (ch === '"' || ch === "'" || ch === "`") quote = ch;
    else if (ch === "(" || ch === "[" || ch === "{") depth++;
    else if (ch === ")" || ch === "]" || ch === "}") {
      if (depth === 0) break;
      depth--;
    } else if (ch === "," && depth === 0) break;
  }
  return text.slice(at, i).replace(/\s+/g, " ").trim();
}

function describeSkip(expr: string, lines: string[]): string {
  // A string literal, a concatenation of them, or a ternary choosing one: the reason is the text.
  const literal = /^("([^"\\]|\\.)*"|'([^'\\]|\\.)*')(\s*\+\s*("([^"\\]|\\.)*"|'([^'\\]|\\.)*'))*$/;
  const ternary = /^[^?]+\?\s*(.+?)\s*:\s*(false|null|undefined|"")$/.exec(expr);
  const text = literal.test(expr) ? expr : ternary && literal.test(ternary[1]) ? ternary[1] : null;
  if (text) {
    return [...text.matchAll(/"((?:[^"\\]|\\.)*)"|'((?:[^'\\]|\\.)*)'/g)]
      .map((m) => (m[1] ?? m[2]).replace(/\\(.)/g, "$1")).join("");
  }
  if (/^[A-Za-z_$][\w$]*$/.test(expr)) {
    const def = lines.find((l) => new RegExp(`\\b(const|let)\\s+${expr}\\b`).test(l));
    const s = def && /"([^"]+)"|'([^']+)'|`([^`]+)`/.exec(def);
    if (s) return s[1] ?? s[2] ?? s[3];
  }
  return `skip when ${expr}`;
}
