/**
 * @module security/iam/glob
 * Wildcard matching (`*`, `?`) and policy-variable templates (`${aws:username}`) for the IAM
 * evaluator.
 *
 * A pattern is compiled to tokens: a non-negative number is one UTF-16 code unit matched literally,
 * {@link STAR} matches any run of characters (including `:` and `/`), {@link QMARK} exactly one
 * character. Text substituted for a policy variable, and the escapes `${*}`, `${?}`, `${$}`, become
 * literal tokens, so a context value can never smuggle a wildcard into a pattern.
 *
 * Matching is the iterative two-pointer algorithm with one backtrack point (the most recent `*`),
 * never a regular expression: see {@link matchTokens} for why it cannot backtrack catastrophically.
 */

/** Token: any run of characters, including the empty run. */
export const STAR = -1;
/** Token: exactly one character (one code point: a surrogate pair counts as one). */
export const QMARK = -2;

export type Tokens = readonly number[];

/** One piece of a parsed template. */
export type Part =
  | { readonly kind: 'text'; readonly text: string }
  | { readonly kind: 'star' }
  | { readonly kind: 'qmark' }
  | {
      readonly kind: 'var';
      /** The key as written, for messages. */
      readonly name: string;
      /** The key lower-cased: context keys are matched case-insensitively. */
      readonly key: string;
      /** `${key, 'default'}`: used when the key is missing or multi-valued. */
      readonly fallback: string | undefined;
    };

export interface TemplateOptions {
  /** `*` and `?` are wildcards (else literal characters). */
  readonly wildcards: boolean;
  /** `${...}` is a policy variable (Version 2012-10-17) or literal text (2008-10-17). */
  readonly variables: boolean;
}

export type TemplateResult = { readonly parts: readonly Part[] } | { readonly error: string };

const isSpace = (c: string | undefined): boolean => c === ' ' || c === '\t' || c === '\n' || c === '\r';

/**
 * Parses `src` into parts. Variable syntax: `${key}`, `${key, 'default'}` (a quote inside the default
 * is written `''`), and the escapes `${*}`, `${?}`, `${$}` for a literal `*`, `?`, `$`. Whitespace
 * around the key and the default is ignored. Consecutive `*` collapse into one; adjacent text merges.
 */
export function parseTemplate(src: string, opts: TemplateOptions): TemplateResult {
  const parts: Part[] = [];
  let text = '';
  const flush = (): void => {
    if (text !== '') parts.push({ kind: 'text', text });
    text = '';
  };
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src[i]!;
    if (opts.wildcards && c === '*') {
      flush();
      if (parts.at(-1)?.kind !== 'star') parts.push({ kind: 'star' });
      i++;
    } else if (opts.wildcards && c === '?') {
      flush();
      parts.push({ kind: 'qmark' });
      i++;
    } else if (opts.variables && c === '$' && src[i + 1] === '{') {
      const start = i;
      i += 2;
      const esc = src[i];
      if ((esc === '*' || esc === '?' || esc === '$') && src[i + 1] === '}') {
        text += esc;
        i += 2;
        continue;
      }
      while (isSpace(src[i])) i++;
      const keyStart = i;
      while (i < n && !isSpace(src[i]) && !",}{$'".includes(src[i]!)) i++;
      const name = src.slice(keyStart, i);
      while (isSpace(src[i])) i++;
      if (i >= n) return { error: `unterminated policy variable at offset ${start} (missing "}")` };
      if (name === '') return { error: `empty policy variable at offset ${start}` };
      let fallback: string | undefined;
      if (src[i] === ',') {
        i++;
        while (isSpace(src[i])) i++;
        if (src[i] !== "'") {
          return { error: `policy variable at offset ${start}: the default value must be in single quotes` };
        }
        i++;
        let value = '';
        for (;;) {
          if (i >= n) return { error: `policy variable at offset ${start}: unterminated default value` };
          if (src[i] === "'") {
            if (src[i + 1] === "'") {
              value += "'";
              i += 2;
              continue;
            }
            i++;
            break;
          }
          value += src[i];
          i++;
        }
        fallback = value;
        while (isSpace(src[i])) i++;
      }
      if (src[i] !== '}') {
        return { error: `malformed policy variable at offset ${start}: expected "}" after the key` };
      }
      i++;
      flush();
      parts.push({ kind: 'var', name, key: name.toLowerCase(), fallback });
    } else {
      text += c;
      i++;
    }
  }
  flush();
  return { parts };
}

/** The keys of the variables in `parts` that have no default (they must resolve or nothing matches). */
export function requiredVariables(parts: readonly Part[]): string[] {
  const out: string[] = [];
  for (const p of parts) if (p.kind === 'var' && p.fallback === undefined) out.push(p.key);
  return out;
}

export const hasVariables = (parts: readonly Part[]): boolean => parts.some((p) => p.kind === 'var');
export const hasWildcards = (parts: readonly Part[]): boolean =>
  parts.some((p) => p.kind === 'star' || p.kind === 'qmark');

/** Looks a (lower-cased) key up; undefined when missing or multi-valued. */
export type Resolve = (key: string) => string | undefined;

/**
 * The parts as plain text: variables substituted, wildcards as their characters. Undefined when a
 * variable without a default does not resolve.
 */
export function renderText(parts: readonly Part[], resolve: Resolve): string | undefined {
  let out = '';
  for (const p of parts) {
    if (p.kind === 'text') out += p.text;
    else if (p.kind === 'star') out += '*';
    else if (p.kind === 'qmark') out += '?';
    else {
      const v = resolve(p.key) ?? p.fallback;
      if (v === undefined) return undefined;
      out += v;
    }
  }
  return out;
}

function pushText(out: number[], text: string, lower: boolean): void {
  const t = lower ? text.toLowerCase() : text;
  for (let i = 0; i < t.length; i++) out.push(t.charCodeAt(i));
}

/** The parts as match tokens. Undefined when a variable without a default does not resolve. */
export function renderTokens(parts: readonly Part[], resolve: Resolve, lower = false): Tokens | undefined {
  const out: number[] = [];
  for (const p of parts) {
    if (p.kind === 'text') pushText(out, p.text, lower);
    else if (p.kind === 'star') out.push(STAR);
    else if (p.kind === 'qmark') out.push(QMARK);
    else {
      const v = resolve(p.key) ?? p.fallback;
      if (v === undefined) return undefined;
      pushText(out, v, lower);
    }
  }
  return out;
}

const noVariables: Resolve = () => undefined;

/** Tokens of a plain wildcard pattern (no variables): `*` and `?` are wildcards. */
export function tokenize(pattern: string, lower = false): Tokens {
  const r = parseTemplate(pattern, { wildcards: true, variables: false });
  // Without variables parsing cannot fail.
  return renderTokens('parts' in r ? r.parts : [], noVariables, lower)!;
}

/** Counts loop iterations of {@link matchTokens}, for tests that pin down its complexity. */
export interface StepCounter {
  steps: number;
}

const isHigh = (c: number): boolean => c >= 0xd800 && c <= 0xdbff;
const isLow = (c: number): boolean => c >= 0xdc00 && c <= 0xdfff;

/**
 * Whether `s` matches the tokens.
 *
 * Two pointers walk the pattern and the text; the only state kept for backtracking is the position
 * of the most recent `*` and where its match currently ends. On a mismatch the `*` absorbs one more
 * character and matching resumes just after it. Earlier stars never need revisiting: whatever the
 * later part of the pattern needs, the most recent star can absorb as well as any earlier one could.
 * Each iteration advances the text pointer or the star's end, and the star's end only moves forward,
 * so the loop runs at most (text length) × (pattern length) times, and for typical patterns (and for
 * `a*a*…*b` against a long run of `a`s) close to text length + pattern length: no regular expression,
 * hence no exponential backtracking on nested quantifiers.
 *
 * `?` consumes a whole surrogate pair. A `*` may stop between the two halves of a pair, but the lone
 * low half can then only be consumed by a `?` (no literal token is a lone surrogate in a well-formed
 * pattern), and stopping one unit earlier with `?` taking the whole pair matches the same text, so
 * the answer is the one a code-point matcher would give.
 */
export function matchTokens(p: Tokens, s: string, counter?: StepCounter): boolean {
  const m = p.length;
  const n = s.length;
  let pi = 0;
  let si = 0;
  let starP = -1;
  let starS = 0;
  let steps = 0;
  while (si < n) {
    steps++;
    const t = pi < m ? p[pi]! : -3;
    if (t === STAR) {
      starP = pi++;
      starS = si;
    } else if (t === QMARK) {
      si += isHigh(s.charCodeAt(si)) && si + 1 < n && isLow(s.charCodeAt(si + 1)) ? 2 : 1;
      pi++;
    } else if (t >= 0 && t === s.charCodeAt(si)) {
      pi++;
      si++;
    } else if (starP >= 0) {
      pi = starP + 1;
      si = ++starS;
    } else {
      if (counter) counter.steps += steps;
      return false;
    }
  }
  while (pi < m && p[pi] === STAR) pi++;
  if (counter) counter.steps += steps;
  return pi === m;
}

export type GlobMatcher = (s: string, counter?: StepCounter) => boolean;

/**
 * Compiles a wildcard pattern (`*`, `?`; no variables) to a matcher. `caseInsensitive` lower-cases
 * both sides (IAM actions). A pattern without wildcards is a string comparison; `*` matches all.
 */
export function compileGlob(pattern: string, opts: { caseInsensitive?: boolean } = {}): GlobMatcher {
  const lower = opts.caseInsensitive === true;
  return tokensMatcher(tokenize(pattern, lower), lower);
}

/** A matcher for fixed tokens, with fast paths for match-all and literal patterns. */
export function tokensMatcher(tokens: Tokens, lower = false): GlobMatcher {
  if (tokens.length === 1 && tokens[0] === STAR) return () => true;
  if (!tokens.some((t) => t < 0)) {
    let literal = '';
    for (const t of tokens) literal += String.fromCharCode(t);
    return lower ? (s) => s.toLowerCase() === literal : (s) => s === literal;
  }
  return lower ? (s, c) => matchTokens(tokens, s.toLowerCase(), c) : (s, c) => matchTokens(tokens, s, c);
}
