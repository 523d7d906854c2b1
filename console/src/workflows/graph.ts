/**
 * An Amazon States Language definition as a graph to draw: states are nodes, Next / Choice /
 * Default / Catch are edges, a Retry is a loop from the state back to itself, a Parallel's
 * branches and a Map's item processor are nested inside their state's box. Laid out top to
 * bottom by rank (breadth-first distance from StartAt within each scope); the rows are centred.
 * Edges run in lanes of their own in the gaps between rows; one that goes back up (a polling
 * loop) or skips rows runs through a gutter left of the rows. Each box keeps room on its right
 * for its retry loop. So no box, edge, loop or label lies on another box, and no two labels on
 * each other. No layout library: the definitions people write are small.
 *
 * Pure (no React): graph.test.ts runs it with node --test.
 */
import type { Schema } from '../api/client.ts';

export interface AslMachine {
  StartAt?: string;
  States?: Record<string, AslState>;
}

export interface AslState {
  Type?: string;
  Next?: string;
  End?: boolean;
  Default?: string;
  Choices?: { Next?: string }[];
  Catch?: { Next?: string; ErrorEquals?: string[] }[];
  Retry?: { ErrorEquals?: string[]; MaxAttempts?: number }[];
  Branches?: AslMachine[];
  ItemProcessor?: AslMachine;
  Iterator?: AslMachine;
}

export type Mark = 'visited' | 'current' | 'failed';

export interface GraphNode {
  /** Unique in the graph: the state's name, after its enclosing states' ids for nested ones. */
  readonly id: string;
  /** The state's name (history events name states by it). */
  readonly name: string;
  readonly type: string;
  readonly parentId: string | undefined;
  /** Relative to the parent's box (or the graph's origin). */
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
  readonly group: boolean;
  readonly start: boolean;
  readonly end: boolean;
  /** Nesting depth: 0 at the top, 1 inside a Parallel or Map, … */
  readonly depth: number;
  /** Room kept free right of the box for its retry loop and label (0 without a Retry). */
  readonly loopWidth: number;
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch' | 'retry';

/**
 * How an edge runs, in offsets from its ends (so it holds wherever React Flow puts the nodes):
 * `down` leaves the source's bottom, runs sideways at `lane` px below it (in the gap under the
 * source's row, a lane of its own) and drops into the target's top, one row down. `around` (back
 * edges, and edges skipping rows) leaves the bottom to its `exit` lane, runs left to the scope's
 * gutter (`gutter` px from the source's centre), up or down there, and along its `entry` lane
 * (px from the target's top, above it) into the target. Neither crosses a box: rows, gaps and
 * the gutter are laid out for them. `loop`: a Retry, on the box's right.
 */
export type Route =
  | { readonly kind: 'down'; readonly lane: number }
  | { readonly kind: 'around'; readonly exit: number; readonly gutter: number; readonly entry: number }
  | { readonly kind: 'loop' };

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: EdgeKind;
  readonly label: string | undefined;
  readonly route: Route;
}

export interface Graph {
  readonly nodes: GraphNode[];
  readonly edges: GraphEdge[];
  readonly width: number;
  readonly height: number;
}

export const NODE_W = 170;
export const NODE_H = 46;
const GAP_X = 28;
const GAP_Y = 46;
const PAD = 16;
const HEADER = 34;
/** Between two edges' sideways runs in a gap: an edge label (10 px text) fits in one lane. */
export const LANE = 16;
const GUTTER_PAD = 10;
/** Right of a box with a Retry: the loop bulges LOOP_BULGE px out, its label needs the rest. */
export const LOOP_W = 64;
export const LOOP_BULGE = 30;
/** Where a Retry loop leaves and re-enters its box, from the box's top. */
export const LOOP_OUT_Y = 32;
export const LOOP_IN_Y = 14;

/** The states a state goes to, in order, with the kind of each transition. */
export function transitions(s: AslState): { to: string; kind: EdgeKind; label: string | undefined }[] {
  const out: { to: string; kind: EdgeKind; label: string | undefined }[] = [];
  if (s.Next) out.push({ to: s.Next, kind: 'next', label: undefined });
  (s.Choices ?? []).forEach((c, i) => {
    if (c.Next) out.push({ to: c.Next, kind: 'choice', label: `Choice ${i + 1}` });
  });
  if (s.Default) out.push({ to: s.Default, kind: 'default', label: 'Default' });
  for (const c of s.Catch ?? [])
    if (c.Next)
      out.push({ to: c.Next, kind: 'catch', label: `Catch ${(c.ErrorEquals ?? []).join(', ')}`.trim() });
  return out;
}

/** The most attempts any of the state's retriers makes (ASL's default is 3; 0 never retries). */
export function retries(s: AslState): number {
  return Math.max(0, ...(s.Retry ?? []).map((r) => r.MaxAttempts ?? 3));
}

/**
 * The corners of a `down` or `around` edge from the source's bottom centre (sx, sy) to the
 * target's top centre (tx, ty), and the middle of its label.
 */
export function routePoints(
  r: Exclude<Route, { kind: 'loop' }>,
  sx: number,
  sy: number,
  tx: number,
  ty: number,
): { points: [number, number][]; label: [number, number] } {
  if (r.kind === 'down') {
    const y = sy + r.lane;
    return {
      points: [
        [sx, sy],
        [sx, y],
        [tx, y],
        [tx, ty],
      ],
      label: [(sx + tx) / 2, y],
    };
  }
  const gx = sx + r.gutter;
  const ey = ty + r.entry;
  return {
    points: [
      [sx, sy],
      [sx, sy + r.exit],
      [gx, sy + r.exit],
      [gx, ey],
      [tx, ey],
      [tx, ty],
    ],
    label: [(gx + tx) / 2, ey],
  };
}

/** A state's name as part of a node id: '/' separates the scopes of nested states. */
const idPart = (name: string) => name.replaceAll('%', '%25').replaceAll('/', '%2F');

/** The nested machines of a Parallel (its branches) or a Map (its item processor). */
function children(s: AslState): AslMachine[] {
  if (s.Type === 'Parallel') return s.Branches ?? [];
  if (s.Type === 'Map') {
    const p = s.ItemProcessor ?? s.Iterator;
    return p ? [p] : [];
  }
  return [];
}

/** Breadth-first rank of each state from StartAt; unreachable states go below, in their order. */
function ranks(m: AslMachine): Map<string, number> {
  const states = m.States ?? {};
  const rank = new Map<string, number>();
  const queue: string[] = [];
  if (m.StartAt && states[m.StartAt]) {
    rank.set(m.StartAt, 0);
    queue.push(m.StartAt);
  }
  while (queue.length > 0) {
    const name = queue.shift()!;
    for (const t of transitions(states[name]!))
      if (states[t.to] && !rank.has(t.to)) {
        rank.set(t.to, rank.get(name)! + 1);
        queue.push(t.to);
      }
  }
  let next = Math.max(-1, ...rank.values()) + 1;
  for (const name of Object.keys(states)) if (!rank.has(name)) rank.set(name, next++);
  return rank;
}

interface Scope {
  nodes: GraphNode[];
  edges: GraphEdge[];
  width: number;
  height: number;
}

function layoutScope(m: AslMachine, parentId: string | undefined, prefix: string, depth: number): Scope {
  const states = m.States ?? {};
  const rank = ranks(m);
  const idOf = (name: string) => `${prefix}${idPart(name)}`;
  // Each state's own box: a plain node, or a group sized by its nested machines; `loop` is the
  // room right of it for its retry loop.
  const boxes = new Map<string, { w: number; h: number; loop: number; inner: Scope[] }>();
  for (const [name, s] of Object.entries(states)) {
    const subs = children(s).map((c, i) => layoutScope(c, idOf(name), `${idOf(name)}/${i}/`, depth + 1));
    const loop = retries(s) > 0 ? LOOP_W : 0;
    if (s.Type !== 'Parallel' && s.Type !== 'Map') {
      boxes.set(name, { w: NODE_W, h: NODE_H, loop, inner: [] });
      continue;
    }
    const w = Math.max(
      NODE_W,
      subs.reduce((a, b) => a + b.width, 0) + GAP_X * Math.max(0, subs.length - 1) + 2 * PAD,
    );
    const h = HEADER + Math.max(NODE_H, ...subs.map((b) => b.height)) + PAD;
    boxes.set(name, { w, h, loop, inner: subs });
  }
  const box = (n: string) => boxes.get(n)!;
  const byRank: string[][] = [];
  for (const [name, r] of rank) byRank[r] = [...(byRank[r] ?? []), name];
  const rows = byRank.filter(Boolean);
  const rowOf = new Map<string, number>();
  rows.forEach((row, i) => {
    for (const n of row) rowOf.set(n, i);
  });

  // The transitions: to the next row straight down, any other (up, sideways, skipping rows)
  // around through the gutter. Each takes a lane in the gaps it runs through; gap g lies below
  // row g (-1: above the first row).
  const laneCount = new Map<number, number>();
  const take = (gap: number) => {
    const k = laneCount.get(gap) ?? 0;
    laneCount.set(gap, k + 1);
    return { gap, k };
  };
  const links = Object.entries(states).flatMap(([from, s]) =>
    transitions(s)
      .filter((t) => states[t.to])
      .map((t) => ({ from, ...t, row: rowOf.get(from)!, toRow: rowOf.get(t.to)! })),
  );
  let arounds = 0;
  const lanes = links.map((l) =>
    l.toRow === l.row + 1
      ? { down: take(l.row) }
      : { exit: take(l.row), entry: take(l.toRow - 1), gutter: arounds++ },
  );
  const gutter = arounds > 0 ? arounds * LANE + GUTTER_PAD : 0;
  const last = rows.length - 1;
  const gapH = (g: number) => {
    const n = laneCount.get(g) ?? 0;
    if (g === -1 || g === last) return n > 0 ? (n + 1) * LANE : 0;
    return Math.max(GAP_Y, (n + 1) * LANE);
  };

  const span = (n: string) => box(n).w + box(n).loop;
  const rowWidth = (row: string[]) => row.reduce((a, n) => a + span(n), 0) + GAP_X * (row.length - 1);
  const rowHeight = (row: string[]) => Math.max(...row.map((n) => box(n).h));
  const inner = Math.max(NODE_W, ...rows.map(rowWidth));
  const width = gutter + inner;
  const rowTop: number[] = [];
  let y = gapH(-1);
  for (const [i, row] of rows.entries()) {
    rowTop.push(y);
    y += rowHeight(row) + gapH(i);
  }
  const height = Math.max(NODE_H, y);
  const laneY = ({ gap, k }: { gap: number; k: number }) => {
    const top = gap === -1 ? 0 : rowTop[gap]! + rowHeight(rows[gap]!);
    return top + (gapH(gap) - ((laneCount.get(gap) ?? 1) - 1) * LANE) / 2 + k * LANE;
  };

  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  const at = new Map<string, { x: number; y: number }>();
  for (const [i, row] of rows.entries()) {
    let x = gutter + (inner - rowWidth(row)) / 2;
    for (const name of row) {
      const s = states[name]!;
      const b = box(name);
      at.set(name, { x, y: rowTop[i]! });
      nodes.push({
        id: idOf(name),
        name,
        type: s.Type ?? 'Unknown',
        parentId,
        x,
        y: rowTop[i]!,
        width: b.w,
        height: b.h,
        group: b.inner.length > 0 || s.Type === 'Parallel' || s.Type === 'Map',
        start: name === m.StartAt,
        end: s.End === true || s.Type === 'Succeed' || s.Type === 'Fail',
        depth,
        loopWidth: b.loop,
      });
      // Nested machines side by side under the group's header, centred.
      const innerW = b.inner.reduce((a, c) => a + c.width, 0) + GAP_X * Math.max(0, b.inner.length - 1);
      let ix = (b.w - innerW) / 2;
      for (const sub of b.inner) {
        for (const n of sub.nodes)
          nodes.push(n.parentId === idOf(name) ? { ...n, x: n.x + ix, y: n.y + HEADER } : n);
        edges.push(...sub.edges);
        ix += sub.width + GAP_X;
      }
      x += span(name) + GAP_X;
    }
  }
  links.forEach((l, i) => {
    const src = at.get(l.from)!;
    const dst = at.get(l.to)!;
    const bottom = src.y + box(l.from).h;
    const lane = lanes[i]!;
    const route: Route = lane.down
      ? { kind: 'down', lane: laneY(lane.down) - bottom }
      : {
          kind: 'around',
          exit: laneY(lane.exit!) - bottom,
          gutter: (arounds - lane.gutter!) * LANE - (src.x + box(l.from).w / 2),
          entry: laneY(lane.entry!) - dst.y,
        };
    edges.push({
      id: `${idOf(l.from)}->${idOf(l.to)}:${l.kind}:${i}`,
      source: idOf(l.from),
      target: idOf(l.to),
      kind: l.kind,
      label: l.label,
      route,
    });
  });
  for (const [name, s] of Object.entries(states))
    if (box(name).loop > 0)
      edges.push({
        id: `${idOf(name)}->${idOf(name)}:retry`,
        source: idOf(name),
        target: idOf(name),
        kind: 'retry',
        label: `Retry ×${retries(s)}`,
        route: { kind: 'loop' },
      });
  return { nodes, edges, width, height };
}

/** The definition's graph; a definition that is not an object gives an empty one. */
export function layoutMachine(definition: unknown): Graph {
  if (definition === null || typeof definition !== 'object')
    return { nodes: [], edges: [], width: 0, height: 0 };
  const s = layoutScope(definition as AslMachine, undefined, '', 0);
  // A parent must come before its children (React Flow's rule): order by nesting depth.
  const nodes = [...s.nodes].sort((a, b) => a.depth - b.depth);
  return { nodes, edges: s.edges, width: s.width, height: s.height };
}

/** A history event as the REST API gives it (GET /v1/executions/:arn/history). */
export type HistoryEvent = Schema<'HistoryEventView'>;

/**
 * Which states an execution visited, from its history: entered states are visited; the last
 * state entered and not exited is current while the execution runs, failed when it failed. A
 * redrive starts over from the failed state: what the failed attempt left open is closed.
 */
export function marksOf(events: readonly HistoryEvent[], status: string): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  const open: string[] = [];
  let lastEntered: string | undefined;
  for (const e of events) {
    if (e.type === 'ExecutionRedriven') open.length = 0;
    if (!e.state) continue;
    if (e.type.endsWith('StateEntered')) {
      marks.set(e.state, 'visited');
      open.push(e.state);
      lastEntered = e.state;
    } else if (e.type.endsWith('StateExited')) {
      const i = open.lastIndexOf(e.state);
      if (i >= 0) open.splice(i, 1);
    }
  }
  const last = open.at(-1) ?? (status === 'RUNNING' ? undefined : lastEntered);
  if (last !== undefined) {
    if (status === 'RUNNING') marks.set(last, 'current');
    else if (status === 'FAILED' || status === 'TIMED_OUT' || status === 'ABORTED') marks.set(last, 'failed');
  }
  return marks;
}
