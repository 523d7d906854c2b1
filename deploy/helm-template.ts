/**
 * @module deploy/helm-template
 * Renders a Helm chart's templates without Helm, for test/deploy.test.ts: the subset of Go
 * templates and Sprig functions the Nimbus chart uses, evaluated strictly. A reference to a value
 * that does not exist, a function outside the subset or a construct it does not know is an error
 * here (Helm would print an empty string), so a template that renders here renders the same in
 * Helm, as far as the subset's semantics go: Go's truthiness, sorted map ranges, `and`/`or`
 * returning an operand, numbers printed as Go prints the float64s Helm's values are, `{{-`/`-}}`
 * trimming, `include` and `define`, `.Files.Get`, documents split on `---`.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse, parseAllDocuments, stringify } from 'yaml';

export class TemplateError extends Error {
  override name = 'TemplateError';
}

// ---- lexing: text and actions -------------------------------------------------------------------

type Piece = { t: 'text'; v: string } | { t: 'action'; src: string; file: string; line: number };

function lex(src: string, file: string): Piece[] {
  const out: Piece[] = [];
  let i = 0;
  let trimNext = false;
  let line = 1;
  let counted = 0;
  while (i < src.length) {
    const open = src.indexOf('{{', i);
    let text = src.slice(i, open < 0 ? src.length : open);
    if (trimNext) text = text.replace(/^\s+/, '');
    trimNext = false;
    if (open < 0) {
      out.push({ t: 'text', v: text });
      break;
    }
    let start = open + 2;
    if (src[start] === '-' && /\s/.test(src[start + 1] ?? '')) {
      text = text.replace(/\s+$/, '');
      start += 1;
    }
    out.push({ t: 'text', v: text });
    for (; counted < open; counted++) if (src.charCodeAt(counted) === 10) line++;
    // Comments may hold "}}"; they end at "*/}}" or "*/ -}}".
    const inner = src.slice(start).trimStart();
    let close: number;
    if (inner.startsWith('/*')) {
      const end = src.indexOf('*/', start);
      if (end < 0) throw new TemplateError(`${file}:${line}: unclosed comment`);
      close = src.indexOf('}}', end);
    } else {
      close = findClose(src, start, file, line);
    }
    let body = src.slice(start, close);
    if (/\s-$/.test(body)) {
      body = body.slice(0, -1);
      trimNext = true;
    }
    if (!body.trim().startsWith('/*')) out.push({ t: 'action', src: body.trim(), file, line });
    i = close + 2;
  }
  return out;
}

/** The "}}" that closes an action, skipping quoted strings. */
function findClose(src: string, from: number, file: string, line: number): number {
  for (let j = from; j < src.length; j++) {
    const ch = src[j];
    if (ch === '"') {
      for (j++; j < src.length && src[j] !== '"'; j++) if (src[j] === '\\') j++;
    } else if (ch === '`') {
      j = src.indexOf('`', j + 1);
      if (j < 0) break;
    } else if (ch === '}' && src[j + 1] === '}') {
      return j;
    }
  }
  throw new TemplateError(`${file}:${line}: unclosed action`);
}

// ---- expressions ---------------------------------------------------------------------------------

type Operand =
  | { k: 'field'; chain: string[] }
  | { k: 'var'; name: string; chain: string[] }
  | { k: 'lit'; v: unknown }
  | { k: 'ident'; name: string }
  | { k: 'sub'; pipe: Pipeline; chain: string[] };
type Command = Operand[];
interface Pipeline {
  decl?: { names: string[]; op: ':=' | '=' };
  cmds: Command[];
}

type Tok = { t: 'punct'; v: string } | { t: 'operand'; v: Operand };

function tokenize(s: string, where: string): Tok[] {
  const toks: Tok[] = [];
  const chainAt = (i: number): [string[], number] => {
    const chain: string[] = [];
    while (s[i] === '.' && /[A-Za-z_]/.test(s[i + 1] ?? '')) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i + 1))!;
      chain.push(m[0]);
      i += 1 + m[0].length;
    }
    return [chain, i];
  };
  let i = 0;
  while (i < s.length) {
    const ch = s[i]!;
    if (/\s/.test(ch)) {
      i++;
    } else if (s.startsWith(':=', i)) {
      toks.push({ t: 'punct', v: ':=' });
      i += 2;
    } else if ('()|,='.includes(ch)) {
      toks.push({ t: 'punct', v: ch });
      i++;
      if (ch === ')' && s[i] === '.') {
        const [chain, j] = chainAt(i);
        toks.push({ t: 'punct', v: `.${chain.join('.')}` });
        i = j;
      }
    } else if (ch === '"') {
      let j = i + 1;
      for (; j < s.length && s[j] !== '"'; j++) if (s[j] === '\\') j++;
      toks.push({ t: 'operand', v: { k: 'lit', v: JSON.parse(s.slice(i, j + 1)) as string } });
      i = j + 1;
    } else if (ch === '`') {
      const j = s.indexOf('`', i + 1);
      toks.push({ t: 'operand', v: { k: 'lit', v: s.slice(i + 1, j) } });
      i = j + 1;
    } else if (/[0-9]/.test(ch) || (ch === '-' && /[0-9]/.test(s[i + 1] ?? ''))) {
      const m = /^-?[0-9]+(\.[0-9]+)?/.exec(s.slice(i))!;
      toks.push({ t: 'operand', v: { k: 'lit', v: Number(m[0]) } });
      i += m[0].length;
    } else if (ch === '$') {
      const m = /^\$[A-Za-z0-9_]*/.exec(s.slice(i))!;
      const [chain, j] = chainAt(i + m[0].length);
      toks.push({ t: 'operand', v: { k: 'var', name: m[0], chain } });
      i = j;
    } else if (ch === '.') {
      const [chain, j] = chainAt(i);
      toks.push({ t: 'operand', v: { k: 'field', chain } });
      i = chain.length ? j : i + 1;
    } else if (/[A-Za-z_]/.test(ch)) {
      const m = /^[A-Za-z_][A-Za-z0-9_]*/.exec(s.slice(i))!;
      const w = m[0];
      const lit: Record<string, unknown> = { true: true, false: false, nil: null };
      toks.push({ t: 'operand', v: w in lit ? { k: 'lit', v: lit[w] } : { k: 'ident', name: w } });
      i += w.length;
    } else {
      throw new TemplateError(`${where}: unexpected "${ch}" in {{ ${s} }}`);
    }
  }
  return toks;
}

function parsePipeline(toks: Tok[], where: string): Pipeline {
  let pos = 0;
  const pipe = (): Pipeline => {
    const p: Pipeline = { cmds: [] };
    // `$a := …`, `$a, $b := …` (range), `$a = …`
    const names: string[] = [];
    let look = pos;
    while (true) {
      const t = toks[look];
      if (t?.t !== 'operand' || t.v.k !== 'var' || t.v.chain.length) break;
      names.push(t.v.name);
      look++;
      if (toks[look]?.t === 'punct' && (toks[look] as { v: string }).v === ',') look++;
      else break;
    }
    const op = toks[look];
    if (names.length && op?.t === 'punct' && (op.v === ':=' || op.v === '=')) {
      p.decl = { names, op: op.v };
      pos = look + 1;
    }
    let cmd: Command = [];
    while (pos < toks.length) {
      const t = toks[pos]!;
      if (t.t === 'punct' && t.v === ')') break;
      pos++;
      if (t.t === 'punct' && t.v === '|') {
        p.cmds.push(cmd);
        cmd = [];
      } else if (t.t === 'punct' && t.v === '(') {
        const inner = pipe();
        if ((toks[pos] as { v?: string } | undefined)?.v !== ')')
          throw new TemplateError(`${where}: missing )`);
        pos++;
        let chain: string[] = [];
        const after = toks[pos];
        if (after?.t === 'punct' && after.v.startsWith('.')) {
          chain = after.v.slice(1).split('.');
          pos++;
        }
        cmd.push({ k: 'sub', pipe: inner, chain });
      } else if (t.t === 'operand') {
        cmd.push(t.v);
      } else {
        throw new TemplateError(`${where}: unexpected "${t.v}"`);
      }
    }
    if (!cmd.length) throw new TemplateError(`${where}: empty command`);
    p.cmds.push(cmd);
    return p;
  };
  const p = pipe();
  if (pos !== toks.length) throw new TemplateError(`${where}: unexpected ")"`);
  return p;
}

// ---- the tree ------------------------------------------------------------------------------------

type Node =
  | { t: 'text'; v: string }
  | { t: 'out'; pipe: Pipeline; where: string }
  | { t: 'if'; branches: { cond: Pipeline; body: Node[] }[]; other: Node[]; where: string }
  | { t: 'range'; pipe: Pipeline; body: Node[]; other: Node[]; where: string }
  | { t: 'with'; pipe: Pipeline; body: Node[]; other: Node[]; where: string };

function parseTree(pieces: Piece[], defines: Map<string, Node[]>): Node[] {
  let i = 0;
  const block = (): {
    nodes: Node[];
    end: 'end' | 'else' | 'else if' | 'eof';
    rest?: string;
    where?: string;
  } => {
    const nodes: Node[] = [];
    while (i < pieces.length) {
      const p = pieces[i++]!;
      if (p.t === 'text') {
        if (p.v) nodes.push({ t: 'text', v: p.v });
        continue;
      }
      const where = `${p.file}:${p.line}`;
      const [kw, ...restWords] = p.src.split(/\s+/);
      const rest = p.src.slice(kw!.length).trim();
      const pipeOf = (s: string) => parsePipeline(tokenize(s, where), where);
      if (kw === 'end') return { nodes, end: 'end' };
      if (kw === 'else') {
        if (restWords[0] === 'if') return { nodes, end: 'else if', rest: rest.slice(2).trim(), where };
        if (rest) throw new TemplateError(`${where}: only "else" and "else if" are supported`);
        return { nodes, end: 'else' };
      }
      if (kw === 'if') {
        const branches: { cond: Pipeline; body: Node[] }[] = [];
        let cond = pipeOf(rest);
        let other: Node[] = [];
        for (;;) {
          const b = block();
          branches.push({ cond, body: b.nodes });
          if (b.end === 'end') break;
          if (b.end === 'else if') {
            cond = pipeOf(b.rest!);
            continue;
          }
          if (b.end === 'else') {
            const e = block();
            if (e.end !== 'end') throw new TemplateError(`${where}: if without end`);
            other = e.nodes;
            break;
          }
          throw new TemplateError(`${where}: if without end`);
        }
        nodes.push({ t: 'if', branches, other, where });
      } else if (kw === 'range' || kw === 'with') {
        const b = block();
        let other: Node[] = [];
        if (b.end === 'else') {
          const e = block();
          if (e.end !== 'end') throw new TemplateError(`${where}: ${kw} without end`);
          other = e.nodes;
        } else if (b.end !== 'end') {
          throw new TemplateError(`${where}: ${kw} without end`);
        }
        nodes.push({ t: kw, pipe: pipeOf(rest), body: b.nodes, other, where });
      } else if (kw === 'define') {
        const name = JSON.parse(rest) as string;
        const b = block();
        if (b.end !== 'end') throw new TemplateError(`${where}: define without end`);
        defines.set(name, b.nodes);
      } else if (['template', 'block', 'break', 'continue', 'tpl'].includes(kw!)) {
        throw new TemplateError(`${where}: "${kw}" is outside the supported subset (use include)`);
      } else {
        nodes.push({ t: 'out', pipe: pipeOf(p.src), where });
      }
    }
    return { nodes, end: 'eof' };
  };
  const top = block();
  if (top.end !== 'eof') throw new TemplateError(`unexpected {{ ${top.end} }}`);
  return top.nodes;
}

// ---- evaluation ----------------------------------------------------------------------------------

type Fn = (...args: unknown[]) => unknown;
const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Go's template truthiness: false, 0, nil, "" and empty collections are false. */
export function truthy(v: unknown): boolean {
  if (v === null || v === undefined || v === false || v === 0 || v === '') return false;
  if (Array.isArray(v)) return v.length > 0;
  if (isMap(v)) return Object.keys(v).length > 0;
  return true;
}

/** How Go's %v prints a float64 (Helm's numbers are float64): 1e+06, not 1000000. */
export function goNumber(n: number): string {
  if (n === 0) return '0';
  const exp = Math.floor(Math.log10(Math.abs(n)));
  if (exp < -4 || exp >= 21 || (Number.isInteger(n) && exp >= 6)) {
    const [m, e] = n.toExponential().split('e') as [string, string];
    const sign = e.startsWith('-') ? '-' : '+';
    const digits = e.replace(/^[+-]/, '').padStart(2, '0');
    return `${m}e${sign}${digits}`;
  }
  return String(n);
}

function printValue(v: unknown, where: string): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return v;
  if (typeof v === 'number') return goNumber(v);
  if (typeof v === 'boolean') return String(v);
  throw new TemplateError(`${where}: printing a ${Array.isArray(v) ? 'list' : 'map'} (use toYaml)`);
}

const NONE = Symbol('none');

interface Scope {
  vars: Map<string, unknown>;
  parent: Scope | undefined;
}

export interface ChartContext {
  Values: unknown;
  Release: { Name: string; Namespace: string; Service: string };
  Chart: Record<string, unknown>;
  Files: { Get: (path: string) => string };
}

class Renderer {
  readonly #defines: Map<string, Node[]>;
  readonly #fns: Record<string, Fn>;

  constructor(defines: Map<string, Node[]>) {
    this.#defines = defines;
    const str = (v: unknown) => printValue(v, 'argument');
    const indent = (n: unknown, s: unknown) => {
      const pad = ' '.repeat(Number(n));
      return pad + String(s).replaceAll('\n', `\n${pad}`);
    };
    this.#fns = {
      include: (name, ctx) => {
        const body = this.#defines.get(String(name));
        if (!body) throw new TemplateError(`include: no template "${String(name)}"`);
        return this.run(body, ctx);
      },
      toYaml: (v) =>
        stringify(v, { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false }).replace(/\n$/, ''),
      nindent: (n, s) => `\n${indent(n, s)}`,
      indent,
      quote: (...a) =>
        a
          .filter((x) => x !== null && x !== undefined)
          .map((x) => JSON.stringify(str(x)))
          .join(' '),
      default: (d, v) => (v === undefined || !truthy(v) ? d : v),
      required: (msg, v) => {
        if (v === null || v === undefined || v === '') throw new TemplateError(String(msg));
        return v;
      },
      fail: (msg) => {
        throw new TemplateError(String(msg));
      },
      eq: (a, ...b) => b.some((x) => x === a),
      ne: (a, b) => a !== b,
      not: (v) => !truthy(v),
      printf: (f, ...args) => {
        let k = 0;
        return String(f).replace(/%[sdvq%]/g, (m) => {
          if (m === '%%') return '%';
          const x = args[k++];
          return m === '%q' ? JSON.stringify(str(x)) : str(x);
        });
      },
      dict: (...kv) => {
        const o: Record<string, unknown> = {};
        for (let j = 0; j < kv.length; j += 2) o[String(kv[j])] = kv[j + 1];
        return o;
      },
      list: (...a) => a,
      append: (l, v) => [...(l as unknown[]), v],
      join: (sep, l) => (l as unknown[]).map(str).join(String(sep)),
      splitList: (sep, s) => String(s).split(String(sep)),
      contains: (sub, s) => String(s).includes(String(sub)),
      hasPrefix: (p, s) => String(s).startsWith(String(p)),
      has: (needle, l) => (l as unknown[]).includes(needle),
      index: (o, ...keys) => {
        let cur = o;
        for (const k of keys) cur = isMap(cur) || Array.isArray(cur) ? (cur as never)[k as never] : undefined;
        return cur;
      },
      regexMatch: (re, s) => new RegExp(String(re)).test(String(s)),
      ternary: (a, b, cond) => (cond ? a : b),
      empty: (v) => !truthy(v),
    };
  }

  run(nodes: Node[], dot: unknown): string {
    const scope: Scope = { vars: new Map([['$', dot]]), parent: undefined };
    return this.#exec(nodes, dot, scope);
  }

  #exec(nodes: Node[], dot: unknown, scope: Scope): string {
    let out = '';
    for (const n of nodes) {
      switch (n.t) {
        case 'text':
          out += n.v;
          break;
        case 'out': {
          const v = this.#pipe(n.pipe, dot, scope, n.where);
          if (!n.pipe.decl) out += printValue(v, n.where);
          break;
        }
        case 'if': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const hit = n.branches.find((b) => truthy(this.#pipe(b.cond, dot, inner, n.where)));
          out += this.#exec(hit ? hit.body : n.other, dot, inner);
          break;
        }
        case 'with': {
          const inner: Scope = { vars: new Map(), parent: scope };
          const v = this.#pipe(n.pipe, dot, inner, n.where);
          out += truthy(v) ? this.#exec(n.body, v, inner) : this.#exec(n.other, dot, inner);
          break;
        }
        case 'range': {
          const { decl, ...rest } = n.pipe;
          const v = this.#pipe(rest, dot, scope, n.where);
          const items: [unknown, unknown][] = Array.isArray(v)
            ? v.map((x, j) => [j, x])
            : isMap(v)
              ? Object.keys(v)
                  .sort()
                  .map((k) => [k, v[k]])
              : v === null || v === undefined
                ? []
                : (() => {
                    throw new TemplateError(`${n.where}: range over ${typeof v}`);
                  })();
          if (!items.length) out += this.#exec(n.other, dot, scope);
          for (const [k, x] of items) {
            const inner: Scope = { vars: new Map(), parent: scope };
            if (decl?.names.length === 1) inner.vars.set(decl.names[0]!, x);
            if (decl?.names.length === 2) {
              inner.vars.set(decl.names[0]!, k);
              inner.vars.set(decl.names[1]!, x);
            }
            out += this.#exec(n.body, x, inner);
          }
          break;
        }
      }
    }
    return out;
  }

  #pipe(p: Pipeline, dot: unknown, scope: Scope, where: string): unknown {
    let v: unknown = NONE;
    for (const cmd of p.cmds) v = this.#command(cmd, v, dot, scope, where);
    if (p.decl) {
      const name = p.decl.names[0]!;
      if (p.decl.op === ':=') scope.vars.set(name, v);
      else {
        let s: Scope | undefined = scope;
        while (s && !s.vars.has(name)) s = s.parent;
        if (!s) throw new TemplateError(`${where}: assignment to undeclared ${name}`);
        s.vars.set(name, v);
      }
    }
    return v;
  }

  #command(cmd: Command, piped: unknown, dot: unknown, scope: Scope, where: string): unknown {
    const [head, ...args] = cmd;
    const argv = () => {
      const a = args.map((o) => this.#operand(o, dot, scope, where));
      if (piped !== NONE) a.push(piped);
      return a;
    };
    if (head!.k === 'ident') {
      const name = head!.name;
      // and/or stop at the first operand that decides, and return it (Go 1.18).
      if (name === 'and' || name === 'or') {
        const ops = [...args.map((o) => () => this.#operand(o, dot, scope, where))];
        if (piped !== NONE) ops.push(() => piped);
        let last: unknown;
        for (const op of ops) {
          last = op();
          if (name === 'and' ? !truthy(last) : truthy(last)) return last;
        }
        return last;
      }
      const fn = this.#fns[name];
      if (!fn) throw new TemplateError(`${where}: function "${name}" is outside the supported subset`);
      return fn(...argv());
    }
    const v = this.#operand(head!, dot, scope, where);
    if (typeof v === 'function') return (v as Fn)(...argv());
    if (args.length || piped !== NONE)
      throw new TemplateError(`${where}: ${JSON.stringify(head)} is not a function`);
    return v;
  }

  #operand(o: Operand, dot: unknown, scope: Scope, where: string): unknown {
    switch (o.k) {
      case 'lit':
        return o.v;
      case 'field':
        return this.#chain(dot, o.chain, where, '.');
      case 'var': {
        let s: Scope | undefined = scope;
        while (s && !s.vars.has(o.name)) s = s.parent;
        if (!s) throw new TemplateError(`${where}: undefined variable ${o.name}`);
        return this.#chain(s.vars.get(o.name), o.chain, where, o.name);
      }
      case 'sub':
        return this.#chain(this.#pipe(o.pipe, dot, scope, where), o.chain, where, '(…)');
      case 'ident': {
        const fn = this.#fns[o.name];
        if (!fn) throw new TemplateError(`${where}: function "${o.name}" is outside the supported subset`);
        return fn();
      }
    }
  }

  #chain(v: unknown, chain: string[], where: string, from: string): unknown {
    let cur = v;
    let path = from;
    for (const k of chain) {
      if (!isMap(cur))
        throw new TemplateError(`${where}: ${path} is ${cur === null ? 'nil' : typeof cur}, no .${k}`);
      if (!(k in cur)) throw new TemplateError(`${where}: ${path} has no key "${k}"`);
      cur = cur[k];
      path = `${path === '.' ? '' : path}.${k}`;
    }
    return cur;
  }
}

export interface RenderedTemplate {
  /** Path under templates/. */
  readonly file: string;
  /** The objects of its documents (empty documents dropped, as Helm does); none for NOTES.txt. */
  readonly objects: Record<string, unknown>[];
  /** The rendered text. */
  readonly text: string;
}

/** A chart's templates, parsed once. */
export interface LoadedChart {
  readonly dir: string;
  readonly meta: Record<string, unknown>;
  readonly defines: Map<string, Node[]>;
  readonly trees: Map<string, Node[]>;
}

export function loadChart(chartDir: string): LoadedChart {
  const meta = parse(readFileSync(join(chartDir, 'Chart.yaml'), 'utf8')) as Record<string, unknown>;
  const dir = join(chartDir, 'templates');
  const defines = new Map<string, Node[]>();
  const trees = new Map<string, Node[]>();
  for (const f of readdirSync(dir).sort()) {
    trees.set(f, parseTree(lex(readFileSync(join(dir, f), 'utf8'), f), defines));
  }
  return { dir: chartDir, meta, defines, trees };
}

/**
 * Renders every template of a chart (not `_*` partials) with these values (the caller merges them
 * over values.yaml) and parses the output, but NOTES.txt's, as kubectl would (YAML 1.1).
 */
export function renderChart(
  chartDir: string | LoadedChart,
  values: unknown,
  release: { name: string; namespace: string },
): RenderedTemplate[] {
  const {
    dir: root,
    meta: chart,
    defines,
    trees,
  } = typeof chartDir === 'string' ? loadChart(chartDir) : chartDir;
  const ctx: ChartContext = {
    Values: values,
    Release: { Name: release.name, Namespace: release.namespace, Service: 'Helm' },
    Chart: {
      Name: chart.name,
      Version: chart.version,
      AppVersion: chart.appVersion,
    },
    Files: { Get: (p) => readFileSync(join(root, String(p)), 'utf8') },
  };
  const r = new Renderer(defines);
  const out: RenderedTemplate[] = [];
  for (const [f, tree] of trees) {
    if (f.startsWith('_')) continue;
    const text = r.run(tree, ctx);
    const objects: Record<string, unknown>[] = [];
    if (f === 'NOTES.txt') {
      out.push({ file: f, objects, text });
      continue;
    }
    for (const part of text.split(/^---[ \t]*$/m)) {
      const docs = parseAllDocuments(part, { version: '1.1', uniqueKeys: true });
      for (const d of Array.isArray(docs) ? docs : [docs]) {
        if (d.errors.length) throw new TemplateError(`${f}: ${d.errors[0]!.message}\n${part}`);
        const o = d.toJS() as unknown;
        if (o !== null && o !== undefined) objects.push(o as Record<string, unknown>);
      }
    }
    out.push({ file: f, objects, text });
  }
  return out;
}
