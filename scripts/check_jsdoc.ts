/**
 * JSDoc check of the package's public API (issue 17): what `deno doc --json`
 * lists for the three entry points of `deno.json`'s `exports` must be
 * documented. Prints one line per violation and exits 1, or a summary and
 * exits 0.
 *
 * Rules:
 * 1. Summary: every exported symbol, and every public member of an exported
 *    class or interface (constructor, method, accessor, property, call
 *    signature), has JSDoc text besides its tags. Members tagged `@internal`
 *    are exempt (they are public only for the driver's own modules).
 * 2. `@throws` (a heuristic): an exported function, or a public method,
 *    accessor or constructor of an exported class, whose own body — not the
 *    bodies of functions nested in it — has a `throw` statement or calls an
 *    argument-check helper (a function or method named `check…`, `expect…` or
 *    `assert…`, like `expectInstance` or `#checkOpen`) has a `@throws` tag.
 *    Errors raised deeper down (the codec, the request layer) are not seen by
 *    this rule; it catches the checks a reader of the method would see.
 *
 * ```sh
 * deno run -A scripts/check_jsdoc.ts
 * ```
 * @module
 */

import ts from "typescript";

/** The package's entry points, as in `deno.json`'s `exports`. */
const ENTRY_POINTS = ["mod.ts", "src/compat/mod.ts", "src/runtime/workers_entry.ts"];

/** Repository root, so the check reads the same files whatever the working directory. */
const ROOT = new URL("../", import.meta.url);

interface DocTag {
  kind: string;
  tsType?: { repr: string };
}
interface JsDoc {
  doc?: string;
  tags?: DocTag[];
}
interface Location {
  filename: string;
  line: number;
  col: number;
  byteIndex: number;
}
interface DocMember {
  name?: string;
  kind?: string;
  jsDoc?: JsDoc;
  location?: Location;
  accessibility?: string;
  hasBody?: boolean;
}
interface DocDeclaration {
  kind: string;
  jsDoc?: JsDoc;
  location: Location;
  def?: {
    constructors?: DocMember[];
    methods?: DocMember[];
    properties?: DocMember[];
    callSignatures?: DocMember[];
    hasBody?: boolean;
  };
}
interface DocSymbol {
  name: string;
  declarations: DocDeclaration[];
}
interface DocOutput {
  nodes: Record<string, { symbols: DocSymbol[] }>;
}

async function denoDoc(entry: string): Promise<DocOutput> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["doc", "--json", entry],
    cwd: ROOT,
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) throw new Error(`deno doc --json ${entry} failed`);
  return JSON.parse(new TextDecoder().decode(out.stdout));
}

const hasSummary = (d: JsDoc | undefined) => (d?.doc ?? "").trim().length > 0;
const hasTag = (d: JsDoc | undefined, kind: string) =>
  d?.tags?.some((t) => t.kind === kind) ?? false;

let program: ts.Program | null = null;

/** One TypeScript program over the entry points, to resolve the helpers a body calls. */
function getProgram(): ts.Program {
  program ??= ts.createProgram(
    ENTRY_POINTS.map((e) => new URL(e, ROOT).pathname),
    {
      allowImportingTsExtensions: true,
      noEmit: true,
      target: ts.ScriptTarget.ESNext,
      module: ts.ModuleKind.ESNext,
      moduleResolution: ts.ModuleResolutionKind.Bundler,
      skipLibCheck: true,
      noResolve: false,
    },
  );
  return program;
}

type FunctionLike =
  | ts.FunctionDeclaration
  | ts.MethodDeclaration
  | ts.ConstructorDeclaration
  | ts.GetAccessorDeclaration
  | ts.SetAccessorDeclaration;

const isFunctionLike = (n: ts.Node): n is FunctionLike =>
  ts.isFunctionDeclaration(n) || ts.isMethodDeclaration(n) || ts.isConstructorDeclaration(n) ||
  ts.isGetAccessorDeclaration(n) || ts.isSetAccessorDeclaration(n);

/** The function-like declaration with a body that starts on `loc`'s line (0-based, as deno doc's). */
function declarationAt(loc: Location): FunctionLike | null {
  if (!loc.filename.startsWith("file://")) return null;
  const sf = getProgram().getSourceFile(new URL(loc.filename).pathname);
  if (!sf) return null;
  let found: FunctionLike | null = null;
  const visit = (n: ts.Node) => {
    if (found) return;
    if (isFunctionLike(n) && n.body) {
      const start = n.getStart(sf, false);
      if (sf.getLineAndCharacterOfPosition(start).line === loc.line) {
        found = n;
        return;
      }
    }
    ts.forEachChild(n, visit);
  };
  visit(sf);
  return found;
}

const CHECK_HELPER = /^#?(check|expect|assert)[A-Z]/;

/** The function-like declaration a call's callee resolves to, if it has a body. */
function calleeDeclaration(call: ts.CallExpression): FunctionLike | null {
  const checker = getProgram().getTypeChecker();
  let sym = checker.getSymbolAtLocation(call.expression);
  if (sym && sym.flags & ts.SymbolFlags.Alias) sym = checker.getAliasedSymbol(sym);
  const decl = sym?.declarations?.find((d) => isFunctionLike(d) && d.body);
  return (decl as FunctionLike | undefined) ?? null;
}

/**
 * What the body throws outside nested functions: the class names of its
 * `throw new X(…)` and of those of the check helpers it calls (followed a few
 * levels), or `"?"` for a `throw` of something else or a helper not resolved.
 */
function thrownBy(fn: FunctionLike, depth = 0): Set<string> {
  const thrown = new Set<string>();
  const visit = (n: ts.Node) => {
    if (ts.isThrowStatement(n)) {
      const e = n.expression;
      if (ts.isNewExpression(e) && ts.isIdentifier(e.expression)) thrown.add(e.expression.text);
      else thrown.add("?");
    } else if (ts.isCallExpression(n)) {
      const callee = n.expression;
      const name = ts.isIdentifier(callee)
        ? callee.text
        : ts.isPropertyAccessExpression(callee)
        ? callee.name.text
        : "";
      if (CHECK_HELPER.test(name)) {
        const helper = depth < 4 ? calleeDeclaration(n) : null;
        if (helper) { for (const c of thrownBy(helper, depth + 1)) thrown.add(c); }
        else thrown.add("?");
      }
    }
    if (
      ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) ||
      ts.isClassLike(n)
    ) return;
    ts.forEachChild(n, visit);
  };
  if (fn.body) ts.forEachChild(fn.body, visit);
  return thrown;
}

const problems: string[] = [];
let checked = 0;

function checkCallable(name: string, doc: JsDoc | undefined, loc: Location | undefined) {
  if (!loc) return;
  const fn = declarationAt(loc);
  if (!fn) return;
  const thrown = thrownBy(fn);
  if (thrown.size === 0) return;
  const documented = new Set(
    (doc?.tags ?? []).filter((t) => t.kind === "throws").map((t) => t.tsType?.repr ?? ""),
  );
  if (documented.size === 0) {
    problems.push(`${name}: throws or checks its arguments but has no @throws`);
    return;
  }
  const missing = [...thrown].filter((c) => c !== "?" && !documented.has(c));
  if (missing.length > 0) problems.push(`${name}: no @throws {${missing.join("}, {")}}`);
}

function checkMember(owner: string, m: DocMember, callable: boolean) {
  if (m.accessibility === "private" || m.name?.startsWith("#")) return;
  if (hasTag(m.jsDoc, "internal")) return;
  checked++;
  const name = `${owner}.${m.name ?? "(call signature)"}`;
  if (!hasSummary(m.jsDoc)) problems.push(`${name}: no summary`);
  if (callable) checkCallable(name, m.jsDoc, m.location);
}

const seen = new Set<string>();
for (const entry of ENTRY_POINTS) {
  const doc = await denoDoc(entry);
  for (const node of Object.values(doc.nodes)) {
    for (const sym of node.symbols) {
      for (const decl of sym.declarations) {
        if (decl.kind === "import" || decl.kind === "reference") continue;
        const key = `${decl.location.filename}:${decl.location.byteIndex}`;
        if (seen.has(key)) continue; // re-exported by two entry points
        seen.add(key);
        const qualified = `${entry}: ${sym.name}`;
        checked++;
        if (!hasSummary(decl.jsDoc)) problems.push(`${qualified}: no summary`);
        if (decl.kind === "function" && decl.def?.hasBody) {
          checkCallable(qualified, decl.jsDoc, decl.location);
        }
        const def = decl.def ?? {};
        const isClass = decl.kind === "class";
        for (const m of def.constructors ?? []) checkMember(qualified, m, true);
        for (const m of def.methods ?? []) checkMember(qualified, m, isClass);
        for (const m of def.properties ?? []) checkMember(qualified, m, false);
        for (const m of def.callSignatures ?? []) checkMember(qualified, m, false);
      }
    }
  }
}

if (problems.length > 0) {
  for (const p of problems) console.log(p);
  console.log(
    `check_jsdoc: ${problems.length} problem(s) in ${checked} public symbols and members`,
  );
  Deno.exit(1);
}
console.log(`check_jsdoc: ${checked} public symbols and members documented`);
