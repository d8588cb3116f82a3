/**
 * Layering rules of `src/` and the import graph they are checked on, as pure
 * functions over a map of repository-relative path → source text, so the unit
 * test can feed synthetic trees and the same code runs on Deno and Bun
 * (`scripts/check_layers.ts` is the CLI that reads the disk).
 *
 * Imports are found by a small tokenizer rather than by regex over raw text,
 * so that imports and `Deno.` inside comments, strings, templates and regular
 * expressions are not counted.
 * @module
 */

/** A layer of `src/`. */
export interface Layer {
  /** Name in messages and in the graph. */
  readonly name: string;
  /** A directory ending in `/` (all files under it), or one file. */
  readonly prefix: string;
}

/**
 * The layers of `src/`, first match wins. A directory of `src/` not listed is
 * its own layer named after it; the remaining top-level files are {@link SESSION_LAYER}.
 */
export const LAYERS: readonly Layer[] = [
  { name: "errors", prefix: "src/errors.ts" },
  { name: "wire", prefix: "src/wire/" },
  { name: "routing", prefix: "src/routing/" },
  { name: "runtime", prefix: "src/runtime/" },
  { name: "pool", prefix: "src/pool/" },
  { name: "cluster", prefix: "src/cluster/" },
  { name: "policies", prefix: "src/policies/" },
  { name: "statement", prefix: "src/statement/" },
  { name: "request", prefix: "src/request/" },
];

/** Layer of the top-level `src/*.ts` files not listed in {@link LAYERS}. */
export const SESSION_LAYER = "session";

/**
 * What a layer may import among `src/` and other repository files: either only
 * the `allow` layers, or anything but the `deny` layers. Package imports
 * (`snappyjs`, `npm:…`) are dependencies, not layers, and are not judged here;
 * `node:` modules are judged by {@link RUNTIME_ONLY}.
 */
export interface ImportRule {
  /** The importing layer. */
  readonly layer: string;
  /** Start of the violation message. */
  readonly label: string;
  /** The only layers it may import; a path outside `src/` is not among them. */
  readonly allow?: readonly string[];
  /** Layers it must not import, when `allow` is absent. */
  readonly deny?: readonly string[];
}

/** The import rules between layers. */
export const IMPORT_RULES: readonly ImportRule[] = [
  { layer: "wire", label: "wire imports outside wire", allow: ["wire", "errors"] },
  {
    layer: "routing",
    label: "routing imports outside routing/wire/errors",
    allow: ["routing", "wire", "errors"],
  },
  { layer: "runtime", label: "runtime imports wire", deny: ["wire"] },
];

/** Runtime-specific code lives in one layer, so the rest of the driver runs everywhere. */
export const RUNTIME_ONLY = {
  layer: "runtime",
  globals: ["Deno", "Bun"],
  modulePrefix: "node:",
} as const;

/** One import statement (or `export … from`, or `import("…")` with a literal) of a file. */
export interface ImportRef {
  /** As written, e.g. `"../errors.ts"`. */
  readonly specifier: string;
  /** 1-based line of the `import` / `export` keyword. */
  readonly line: number;
}

/** A use of a runtime global as code (`Deno.…`, `Bun?.…`). */
export interface GlobalRef {
  /** `Deno` or `Bun`. */
  readonly name: string;
  /** 1-based line. */
  readonly line: number;
}

/** What one file refers to. */
export interface FileRefs {
  /** In source order. */
  readonly imports: readonly ImportRef[];
  /** In source order. */
  readonly globals: readonly GlobalRef[];
}

/** A broken rule; `message` is the line the CLI prints. */
export interface Violation {
  /** Import cycle, a layer's import rule, or runtime code outside `runtime/`. */
  readonly rule: "cycle" | "import" | "runtime";
  /** One line, naming the files. */
  readonly message: string;
  /** The files involved (for a cycle, each once). */
  readonly files: readonly string[];
}

/** Files and what they refer to, as the rules see them. */
export interface ImportGraph {
  /** Every file, sorted. */
  readonly files: readonly string[];
  /** File → distinct repository paths it imports, sorted; they may be absent from the map. */
  readonly edges: ReadonlyMap<string, readonly string[]>;
  /** File → `node:`, package and URL specifiers it imports. */
  readonly external: ReadonlyMap<string, readonly string[]>;
  /** File → its runtime global uses. */
  readonly globals: ReadonlyMap<string, readonly GlobalRef[]>;
  /** Number of import statements found, all kinds. */
  readonly importCount: number;
}

/** Layer-to-layer edges, each with the number of distinct file-to-file imports behind it. */
export interface LayerGraph {
  /** Every layer with a file, sorted. */
  readonly layers: readonly string[];
  /** Sorted by `from`, then `to`. */
  readonly edges: readonly { from: string; to: string; count: number }[];
}

/** Start marker of the generated graph in a Markdown document. */
export const GRAPH_START = "<!-- layer-graph:start -->";
/** End marker of the generated graph in a Markdown document. */
export const GRAPH_END = "<!-- layer-graph:end -->";

/** Beyond this many cycles in one strongly connected group, the rest are summarised. */
const MAX_CYCLES_PER_GROUP = 50;

// ---------------------------------------------------------------- tokenizer

type TokenKind = "id" | "str" | "punct" | "other";

interface Token {
  readonly kind: TokenKind;
  /** Identifier name, punctuator, or the cooked value of a string (or a template without `${`). */
  readonly value: string;
  readonly line: number;
}

/** Keywords after which `/` starts a regular expression rather than a division. */
const REGEX_AFTER_KEYWORD = new Set(
  "return typeof instanceof in of new delete void throw case do else yield await".split(" "),
);

function isIdStart(c: string): boolean {
  return /[A-Za-z_$#\u0080-\uffff]/.test(c);
}

function isIdPart(c: string): boolean {
  return /[\w$\u0080-\uffff]/.test(c);
}

const SIMPLE_ESCAPES: Record<string, string> = {
  n: "\n",
  t: "\t",
  r: "\r",
  b: "\b",
  f: "\f",
  v: "\v",
  0: "\0",
};

/**
 * Splits TypeScript source into identifiers, punctuators and string values,
 * dropping comments and the insides of templates and regular expressions.
 * Good enough for import statements; not a parser.
 */
function tokenize(src: string): Token[] {
  const tokens: Token[] = [];
  // One counter per open `${`: the `}` that closes it resumes the template.
  const templateBraces: number[] = [];
  let line = 1;
  let i = 0;
  const n = src.length;

  const push = (kind: TokenKind, value: string, at: number) =>
    tokens.push({ kind, value, line: at });
  const regexAllowed = () => {
    const prev = tokens[tokens.length - 1];
    if (prev === undefined) return true;
    if (prev.kind === "punct") return prev.value !== ")" && prev.value !== "]";
    if (prev.kind === "id") return REGEX_AFTER_KEYWORD.has(prev.value);
    return false;
  };

  /**
   * Reads template text from just after its opening backtick (`whole`) or after
   * the `}` closing a substitution.
   */
  const readTemplate = (startLine: number, whole: boolean) => {
    let text = "";
    while (i < n) {
      const c = src[i];
      if (c === "\\") {
        if (src[i + 1] === "\n") line++;
        text += SIMPLE_ESCAPES[src[i + 1]] ?? src[i + 1] ?? "";
        i += 2;
      } else if (c === "`") {
        i++;
        // Only a template without substitutions is a literal `import(…)` may name.
        push(whole ? "str" : "other", whole ? text : "", startLine);
        return;
      } else if (c === "$" && src[i + 1] === "{") {
        i += 2;
        templateBraces.push(0);
        push("punct", "${", startLine);
        return;
      } else {
        if (c === "\n") line++;
        text += c;
        i++;
      }
    }
  };

  if (src.startsWith("#!")) {
    while (i < n && src[i] !== "\n") i++;
  }
  while (i < n) {
    const c = src[i];
    if (c === "\n") {
      line++;
      i++;
    } else if (c === " " || c === "\t" || c === "\r" || c === "\uFEFF") {
      i++;
    } else if (c === "/" && src[i + 1] === "/") {
      while (i < n && src[i] !== "\n") i++;
    } else if (c === "/" && src[i + 1] === "*") {
      const end = src.indexOf("*/", i + 2);
      const stop = end < 0 ? n : end + 2;
      for (let k = i; k < stop; k++) if (src[k] === "\n") line++;
      i = stop;
    } else if (c === "'" || c === '"') {
      const startLine = line;
      let value = "";
      i++;
      while (i < n && src[i] !== c && src[i] !== "\n") {
        if (src[i] === "\\") {
          const e = src[i + 1];
          // A backslash before a line break continues the string on the next line.
          if (e === "\r" && src[i + 2] === "\n") i++;
          if (e === "\n" || e === "\r") line++;
          else value += SIMPLE_ESCAPES[e] ?? e ?? "";
          i += 2;
        } else {
          value += src[i++];
        }
      }
      i++;
      push("str", value, startLine);
    } else if (c === "`") {
      i++;
      readTemplate(line, true);
    } else if (
      c === "}" && templateBraces.length > 0 && templateBraces[templateBraces.length - 1] === 0
    ) {
      templateBraces.pop();
      i++;
      readTemplate(line, false);
    } else if (c === "/" && regexAllowed()) {
      let inClass = false;
      i++;
      while (i < n && src[i] !== "\n") {
        const r = src[i];
        if (r === "\\") i++;
        else if (r === "[") inClass = true;
        else if (r === "]") inClass = false;
        else if (r === "/" && !inClass) break;
        i++;
      }
      i++;
      while (i < n && isIdPart(src[i])) i++;
      push("other", "", line);
    } else if (/[0-9]/.test(c) || (c === "." && /[0-9]/.test(src[i + 1] ?? ""))) {
      while (i < n && /[\w.]/.test(src[i])) i++;
      push("other", "", line);
    } else if (isIdStart(c)) {
      const start = i++;
      while (i < n && isIdPart(src[i])) i++;
      push("id", src.slice(start, i), line);
    } else if (c === "?" && src[i + 1] === "." && !/[0-9]/.test(src[i + 2] ?? "")) {
      i += 2;
      push("punct", "?.", line);
    } else {
      if (templateBraces.length > 0) {
        if (c === "{") templateBraces[templateBraces.length - 1]++;
        else if (c === "}") templateBraces[templateBraces.length - 1]--;
      }
      i++;
      push("punct", c, line);
    }
  }
  return tokens;
}

// ---------------------------------------------------------------- references

/** Index just past the bracket matching the one at `open`, or the end. */
function skipBalanced(tokens: readonly Token[], open: number): number {
  const pairs: Record<string, string> = { "{": "}", "(": ")", "[": "]" };
  const opener = tokens[open].value;
  const closer = pairs[opener];
  let depth = 0;
  for (let k = open; k < tokens.length; k++) {
    const t = tokens[k];
    if (t.kind !== "punct") continue;
    if (t.value === opener) depth++;
    else if (t.value === closer && --depth === 0) return k + 1;
  }
  return tokens.length;
}

function isMember(tokens: readonly Token[], i: number): boolean {
  const prev = tokens[i - 1];
  return prev !== undefined && prev.kind === "punct" && (prev.value === "." || prev.value === "?.");
}

/** `from "x"` at `k`: the string token, else undefined. */
function fromClause(tokens: readonly Token[], k: number): Token | undefined {
  const t = tokens[k];
  const s = tokens[k + 1];
  return t?.kind === "id" && t.value === "from" && s?.kind === "str" ? s : undefined;
}

/**
 * The imports and runtime-global uses of one TypeScript source: `import … from`,
 * `import type`, `import "x"`, `export … from`, and `import("x")` with a literal
 * (also in type positions). Comments, strings and templates are not code.
 */
export function scanFile(src: string): FileRefs {
  const tokens = tokenize(src);
  const imports: ImportRef[] = [];
  const globals: GlobalRef[] = [];
  const globalNames: readonly string[] = RUNTIME_ONLY.globals;
  for (let i = 0; i < tokens.length; i++) {
    const t = tokens[i];
    if (t.kind !== "id") continue;
    const next = tokens[i + 1];
    if (globalNames.includes(t.value)) {
      if (next?.kind === "punct" && (next.value === "." || next.value === "?.")) {
        globals.push({ name: t.value, line: t.line });
      }
      continue;
    }
    if (isMember(tokens, i) || next === undefined) continue;
    if (t.value === "import") {
      if (next.kind === "punct" && next.value === "(") {
        const arg = tokens[i + 2];
        const after = tokens[i + 3];
        if (
          arg?.kind === "str" && after?.kind === "punct" &&
          (after.value === ")" || after.value === ",")
        ) {
          imports.push({ specifier: arg.value, line: t.line });
        }
      } else if (next.kind === "str") {
        imports.push({ specifier: next.value, line: t.line });
      } else if (
        next.kind === "id" || (next.kind === "punct" && (next.value === "{" || next.value === "*"))
      ) {
        // Default, namespace, named and `type` clauses all end in `from "x"`;
        // `import x = require(…)` and anything odd stop at `=` or `;`.
        for (let k = i + 1; k < tokens.length; k++) {
          const spec = fromClause(tokens, k);
          if (spec !== undefined) {
            imports.push({ specifier: spec.value, line: t.line });
            break;
          }
          const u = tokens[k];
          if (u.kind === "punct" && u.value === "{") k = skipBalanced(tokens, k) - 1;
          else if (u.kind === "punct" && (u.value === ";" || u.value === "=")) break;
          else if (u.kind === "str") break;
        }
      }
    } else if (t.value === "export") {
      let k = i + 1;
      if (tokens[k]?.kind === "id" && tokens[k].value === "type") k++;
      const u = tokens[k];
      if (u?.kind !== "punct") continue;
      if (u.value === "{") {
        k = skipBalanced(tokens, k);
      } else if (u.value === "*") {
        k++;
        if (tokens[k]?.kind === "id" && tokens[k].value === "as") k += 2;
      } else {
        continue;
      }
      const spec = fromClause(tokens, k);
      if (spec !== undefined) imports.push({ specifier: spec.value, line: t.line });
    }
  }
  return { imports, globals };
}

// ---------------------------------------------------------------- graph

/** `"./x.ts"` from `src/a/b.ts` → `src/a/x.ts`; undefined for packages, `node:` and URLs. */
export function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith("./") && !specifier.startsWith("../") && !specifier.startsWith("/")) {
    return undefined;
  }
  const parts = specifier.startsWith("/") ? [] : from.split("/").slice(0, -1);
  for (const part of specifier.split("/")) {
    if (part === "" || part === ".") continue;
    if (part === "..") parts.pop();
    else parts.push(part);
  }
  return parts.join("/");
}

/** The layer of a repository path; undefined outside `src/`. */
export function layerOf(path: string): string | undefined {
  if (!path.startsWith("src/")) return undefined;
  for (const layer of LAYERS) {
    if (layer.prefix.endsWith("/") ? path.startsWith(layer.prefix) : path === layer.prefix) {
      return layer.name;
    }
  }
  const rest = path.slice("src/".length);
  const slash = rest.indexOf("/");
  return slash < 0 ? SESSION_LAYER : rest.slice(0, slash);
}

/** Scans every file and resolves its imports. Keys are repository-relative paths with `/`. */
export function buildGraph(files: ReadonlyMap<string, string>): ImportGraph {
  const names = [...files.keys()].sort();
  const edges = new Map<string, string[]>();
  const external = new Map<string, string[]>();
  const globals = new Map<string, GlobalRef[]>();
  let importCount = 0;
  for (const file of names) {
    const refs = scanFile(files.get(file)!);
    importCount += refs.imports.length;
    const internal = new Set<string>();
    const outside = new Set<string>();
    for (const { specifier } of refs.imports) {
      const target = resolveImport(file, specifier);
      if (target === undefined) outside.add(specifier);
      else internal.add(target);
    }
    edges.set(file, [...internal].sort());
    external.set(file, [...outside].sort());
    globals.set(file, [...refs.globals]);
  }
  return { files: names, edges, external, globals, importCount };
}

/** Strongly connected components (Tarjan), each sorted; only those holding a cycle. */
function cyclicComponents(graph: ImportGraph): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const out: string[][] = [];
  let counter = 0;
  const successors = (v: string) => (graph.edges.get(v) ?? []).filter((w) => graph.edges.has(w));

  const visit = (v: string) => {
    index.set(v, counter);
    low.set(v, counter++);
    stack.push(v);
    onStack.add(v);
    for (const w of successors(v)) {
      if (!index.has(w)) {
        visit(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || successors(v).includes(v)) out.push(component.sort());
    }
  };
  for (const v of graph.files) if (!index.has(v)) visit(v);
  return out.sort((a, b) => (a[0] < b[0] ? -1 : 1));
}

/**
 * Elementary cycles within one component (Johnson's algorithm), each starting
 * at its smallest file so that every cycle is reported once; stops at `limit`.
 */
function elementaryCycles(component: readonly string[], graph: ImportGraph, limit: number) {
  const order = new Map(component.map((f, k) => [f, k]));
  const cycles: string[][] = [];
  let truncated = false;
  for (let s = 0; s < component.length && !truncated; s++) {
    const start = component[s];
    const successors = (v: string) =>
      (graph.edges.get(v) ?? []).filter((w) => (order.get(w) ?? -1) >= s);
    const blocked = new Set<string>();
    const blockedBy = new Map<string, Set<string>>();
    const path: string[] = [];
    const unblock = (u: string) => {
      blocked.delete(u);
      const waiting = blockedBy.get(u);
      if (waiting === undefined) return;
      blockedBy.delete(u);
      for (const w of waiting) if (blocked.has(w)) unblock(w);
    };
    const circuit = (v: string): boolean => {
      let found = false;
      path.push(v);
      blocked.add(v);
      for (const w of successors(v)) {
        if (truncated) break;
        if (w === start) {
          cycles.push([...path, start]);
          found = true;
          if (cycles.length >= limit) truncated = true;
        } else if (!blocked.has(w) && circuit(w)) {
          found = true;
        }
      }
      if (found) {
        unblock(v);
      } else {
        for (const w of successors(v)) {
          const set = blockedBy.get(w) ?? new Set<string>();
          set.add(v);
          blockedBy.set(w, set);
        }
      }
      path.pop();
      return found;
    };
    circuit(start);
  }
  return { cycles, truncated };
}

function ruleViolations(graph: ImportGraph): Violation[] {
  const out: Violation[] = [];
  for (const file of graph.files) {
    const layer = layerOf(file);
    const rule = IMPORT_RULES.find((r) => r.layer === layer);
    if (rule === undefined) continue;
    for (const target of graph.edges.get(file) ?? []) {
      const to = layerOf(target);
      const allowed = rule.allow !== undefined
        ? to !== undefined && rule.allow.includes(to)
        : to === undefined || !(rule.deny ?? []).includes(to);
      if (!allowed) {
        out.push({
          rule: "import",
          message: `${rule.label}: ${file} imports ${target}`,
          files: [file, target],
        });
      }
    }
  }
  return out;
}

function runtimeViolations(graph: ImportGraph): Violation[] {
  const out: Violation[] = [];
  for (const file of graph.files) {
    if (layerOf(file) === RUNTIME_ONLY.layer || !file.startsWith("src/")) continue;
    for (const spec of graph.external.get(file) ?? []) {
      if (spec.startsWith(RUNTIME_ONLY.modulePrefix)) {
        out.push({
          rule: "runtime",
          message: `node module outside runtime: ${file} imports ${spec}`,
          files: [file],
        });
      }
    }
    for (const g of graph.globals.get(file) ?? []) {
      out.push({
        rule: "runtime",
        message: `runtime global outside runtime: ${file}:${g.line} names ${g.name}.`,
        files: [file],
      });
    }
  }
  return out;
}

/**
 * Every broken layering rule of the `src/` files in `files` (path → source):
 * import cycles, the per-layer import rules of {@link IMPORT_RULES}, and
 * runtime globals or `node:` imports outside the runtime layer. Files outside
 * `src/` are ignored. Empty when the tree is clean.
 */
export function checkLayers(files: ReadonlyMap<string, string>): Violation[] {
  return checkGraph(buildGraph(onlySrc(files)));
}

/** {@link checkLayers} on an already built graph, so the CLI scans once. */
export function checkGraph(graph: ImportGraph): Violation[] {
  const out: Violation[] = [];
  for (const component of cyclicComponents(graph)) {
    const { cycles, truncated } = elementaryCycles(component, graph, MAX_CYCLES_PER_GROUP);
    const lines = cycles.map((cycle) => ({ cycle, text: cycle.join(" -> ") }))
      .sort((a, b) => (a.text < b.text ? -1 : 1));
    for (const { cycle, text } of lines) {
      out.push({ rule: "cycle", message: `cycle: ${text}`, files: cycle.slice(0, -1) });
    }
    if (truncated) {
      out.push({
        rule: "cycle",
        message: `cycle: more than ${MAX_CYCLES_PER_GROUP} cycles among ${component.join(", ")}`,
        files: component,
      });
    }
  }
  out.push(...ruleViolations(graph), ...runtimeViolations(graph));
  return out;
}

/** The `src/` entries of a file map. */
export function onlySrc(files: ReadonlyMap<string, string>): Map<string, string> {
  return new Map([...files].filter(([path]) => path.startsWith("src/") && path.endsWith(".ts")));
}

/**
 * Layer-to-layer imports of the `src/` files: one edge per ordered pair of
 * different layers, counting distinct file-to-file imports. Imports within a
 * layer and of files outside `src/` are left out.
 */
export function layerGraph(files: ReadonlyMap<string, string> | ImportGraph): LayerGraph {
  const graph = files instanceof Map ? buildGraph(onlySrc(files)) : files as ImportGraph;
  const layers = new Set<string>();
  const counts = new Map<string, number>();
  for (const file of graph.files) {
    const from = layerOf(file);
    if (from === undefined) continue;
    layers.add(from);
    for (const target of graph.edges.get(file) ?? []) {
      const to = layerOf(target);
      if (to === undefined || to === from) continue;
      const key = `${from}\0${to}`;
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
  }
  const edges = [...counts].map(([key, count]) => {
    const [from, to] = key.split("\0");
    return { from, to, count };
  }).sort((a, b) => (a.from === b.from ? (a.to < b.to ? -1 : 1) : a.from < b.from ? -1 : 1));
  return { layers: [...layers].sort(), edges };
}

/** Mermaid ids cannot be keywords such as `end`, nor hold most punctuation. */
function mermaidId(layer: string): string {
  const id = layer.replace(/[^\w]/g, "_");
  return ["end", "graph", "subgraph", "style", "class", "click"].includes(id) ? `${id}_` : id;
}

/** The layer graph as a Markdown ` ```mermaid ` block: `graph TD`, edges labelled with counts. */
export function renderMermaid(graph: LayerGraph): string {
  const lines = ["```mermaid", "graph TD"];
  const linked = new Set(graph.edges.flatMap((e) => [e.from, e.to]));
  for (const layer of graph.layers) {
    // A layer with no edge would otherwise be missing from the picture.
    if (!linked.has(layer)) lines.push(`  ${mermaidId(layer)}`);
  }
  for (const e of graph.edges) {
    lines.push(`  ${mermaidId(e.from)} -->|${e.count}| ${mermaidId(e.to)}`);
  }
  lines.push("```");
  return lines.join("\n");
}

function markerBounds(doc: string): { start: number; end: number } {
  const start = doc.indexOf(GRAPH_START);
  const end = doc.indexOf(GRAPH_END);
  if (start < 0 || end < 0 || end < start) {
    throw new Error(`markers ${GRAPH_START} and ${GRAPH_END} not found (in that order)`);
  }
  return { start: start + GRAPH_START.length, end };
}

/**
 * The text between the graph markers of `doc`, trimmed.
 * @throws {Error} markers missing
 */
export function graphInDoc(doc: string): string {
  const { start, end } = markerBounds(doc);
  return doc.slice(start, end).trim();
}

/**
 * `doc` with the text between the graph markers replaced by `block`.
 * @throws {Error} markers missing
 */
export function replaceGraphInDoc(doc: string, block: string): string {
  const { start, end } = markerBounds(doc);
  return `${doc.slice(0, start)}\n\n${block.trim()}\n\n${doc.slice(end)}`;
}
