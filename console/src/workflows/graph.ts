/**
 * An Amazon States Language definition as a graph to draw: states are nodes, Next / Choice /
 * Default / Catch are edges, a Parallel's branches and a Map's item processor are nested inside
 * their state's box. Laid out top to bottom by rank (breadth-first distance from StartAt within
 * each scope); the rows are centred. No layout library: the definitions people write are small.
 */

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
}

export type EdgeKind = 'next' | 'choice' | 'default' | 'catch';

export interface GraphEdge {
  readonly id: string;
  readonly source: string;
  readonly target: string;
  readonly kind: EdgeKind;
  readonly label: string | undefined;
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

function layoutScope(m: AslMachine, parentId: string | undefined, prefix: string): Scope {
  const states = m.States ?? {};
  const rank = ranks(m);
  const idOf = (name: string) => `${prefix}${name}`;
  const nodes: GraphNode[] = [];
  const edges: GraphEdge[] = [];
  // Each state's own box: a plain node, or a group sized by its nested machines.
  const boxes = new Map<string, { w: number; h: number; inner: Scope[] }>();
  for (const [name, s] of Object.entries(states)) {
    const subs = children(s).map((c, i) => layoutScope(c, idOf(name), `${idOf(name)}/${i}/`));
    if (s.Type !== 'Parallel' && s.Type !== 'Map') {
      boxes.set(name, { w: NODE_W, h: NODE_H, inner: [] });
      continue;
    }
    const w = Math.max(
      NODE_W,
      subs.reduce((a, b) => a + b.width, 0) + GAP_X * Math.max(0, subs.length - 1) + 2 * PAD,
    );
    const h = HEADER + Math.max(NODE_H, ...subs.map((b) => b.height)) + PAD;
    boxes.set(name, { w, h, inner: subs });
  }
  const rows: string[][] = [];
  for (const [name, r] of rank) {
    rows[r] = rows[r] ?? [];
    rows[r].push(name);
  }
  const width = Math.max(
    NODE_W,
    ...rows.map((row) => row.reduce((a, n) => a + boxes.get(n)!.w, 0) + GAP_X * (row.length - 1)),
  );
  let y = 0;
  for (const row of rows.filter(Boolean)) {
    const rowW = row.reduce((a, n) => a + boxes.get(n)!.w, 0) + GAP_X * (row.length - 1);
    const rowH = Math.max(...row.map((n) => boxes.get(n)!.h));
    let x = (width - rowW) / 2;
    for (const name of row) {
      const s = states[name]!;
      const box = boxes.get(name)!;
      nodes.push({
        id: idOf(name),
        name,
        type: s.Type ?? 'Unknown',
        parentId,
        x,
        y,
        width: box.w,
        height: box.h,
        group: box.inner.length > 0 || s.Type === 'Parallel' || s.Type === 'Map',
        start: name === m.StartAt,
        end: s.End === true || s.Type === 'Succeed' || s.Type === 'Fail',
      });
      // Nested machines side by side under the group's header, centred.
      const innerW = box.inner.reduce((a, b) => a + b.width, 0) + GAP_X * Math.max(0, box.inner.length - 1);
      let ix = (box.w - innerW) / 2;
      for (const sub of box.inner) {
        for (const n of sub.nodes)
          nodes.push(n.parentId === idOf(name) ? { ...n, x: n.x + ix, y: n.y + HEADER } : n);
        edges.push(...sub.edges);
        ix += sub.width + GAP_X;
      }
      for (const t of transitions(s))
        if (states[t.to])
          edges.push({
            id: `${idOf(name)}->${idOf(t.to)}:${t.kind}:${edges.length}`,
            source: idOf(name),
            target: idOf(t.to),
            kind: t.kind,
            label: t.label,
          });
      x += box.w + GAP_X;
    }
    y += rowH + GAP_Y;
  }
  return { nodes, edges, width, height: Math.max(NODE_H, y - GAP_Y) };
}

/** The definition's graph; a definition that is not an object gives an empty one. */
export function layoutMachine(definition: unknown): Graph {
  if (definition === null || typeof definition !== 'object')
    return { nodes: [], edges: [], width: 0, height: 0 };
  const s = layoutScope(definition as AslMachine, undefined, '');
  // A parent must come before its children (React Flow's rule): order by nesting depth.
  const depth = (n: GraphNode) => n.id.split('/').length;
  const nodes = [...s.nodes].sort((a, b) => depth(a) - depth(b));
  return { nodes, edges: s.edges, width: s.width, height: s.height };
}

/** A history event as the REST API gives it (GET /v1/executions/:arn/history). */
export interface HistoryEvent {
  id: number;
  previousEventId: number | null;
  timestamp: string | null;
  type: string;
  state: string | null;
  details: Record<string, unknown>;
}

/**
 * Which states an execution visited, from its history: entered states are visited; the last
 * state entered and not exited is current while the execution runs, failed when it failed.
 */
export function marksOf(events: readonly HistoryEvent[], status: string): Map<string, Mark> {
  const marks = new Map<string, Mark>();
  const open: string[] = [];
  let lastEntered: string | undefined;
  for (const e of events) {
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
