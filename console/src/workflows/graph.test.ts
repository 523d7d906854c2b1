/**
 * The workflow graph's layout (graph.ts, pure) for definitions of every shape: Choice with
 * several Next and a Default, Parallel branches, Map (ItemProcessor and the legacy Iterator),
 * a Parallel nested in a Map, Catch and Retry, a Task that ends, a polling loop. Every state is
 * a node, every transition an edge, no two boxes (with their retry loops) overlap, children sit
 * inside their parent, parents come first. And the marks an execution's history gives.
 *
 * Run: node --test console/src/workflows/graph.test.ts
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  type AslMachine,
  type AslState,
  type Graph,
  type GraphNode,
  type HistoryEvent,
  LANE,
  LOOP_BULGE,
  LOOP_IN_Y,
  LOOP_OUT_Y,
  LOOP_W,
  layoutMachine,
  marksOf,
  retries,
  routePoints,
  transitions,
} from './graph.ts';

const task = (extra: AslState = {}): AslState => ({ Type: 'Task', ...extra });
const pass = (extra: AslState = {}): AslState => ({ Type: 'Pass', ...extra });
const CATCH_ALL = [{ ErrorEquals: ['States.ALL'], Next: 'Recover' }];

/** Choice, Parallel, Map with a nested Parallel, Catch, Retry, a Task that ends, Succeed/Fail. */
export const EVERY_SHAPE: AslMachine = {
  StartAt: 'Route',
  States: {
    Route: {
      Type: 'Choice',
      Choices: [{ Next: 'FanOut' }, { Next: 'Each' }, { Next: 'Solo' }],
      Default: 'Skip',
    },
    FanOut: {
      Type: 'Parallel',
      Branches: [
        { StartAt: 'Left', States: { Left: { Type: 'Wait', End: true } } },
        {
          StartAt: 'Right',
          States: {
            Right: task({ Retry: [{ ErrorEquals: ['States.Timeout'], MaxAttempts: 2 }], Next: 'RightDone' }),
            RightDone: { Type: 'Succeed' },
          },
        },
        { StartAt: 'Third', States: { Third: pass({ End: true }) } },
      ],
      Retry: [{ ErrorEquals: ['States.ALL'] }],
      Catch: CATCH_ALL,
      Next: 'Done',
    },
    Each: {
      Type: 'Map',
      ItemProcessor: {
        StartAt: 'Inner',
        States: {
          Inner: {
            Type: 'Parallel',
            Branches: [
              { StartAt: 'A', States: { A: pass({ Next: 'A2' }), A2: pass({ End: true }) } },
              {
                StartAt: 'B',
                States: {
                  B: task({ Catch: [{ ErrorEquals: ['X'], Next: 'B2' }], End: true }),
                  B2: pass({ End: true }),
                },
              },
            ],
            End: true,
          },
        },
      },
      Catch: CATCH_ALL,
      Next: 'Done',
    },
    Solo: task({
      Retry: [
        { ErrorEquals: ['Throttled'], MaxAttempts: 5 },
        { ErrorEquals: ['States.ALL'], MaxAttempts: 1 },
      ],
      Catch: [{ ErrorEquals: ['States.TaskFailed', 'States.Timeout'], Next: 'Recover' }],
      End: true,
    }),
    Skip: pass({ Next: 'Done' }),
    Recover: pass({ Next: 'Failed' }),
    Failed: { Type: 'Fail' },
    Done: { Type: 'Succeed' },
  },
};

/** Submit, then wait and poll until done: Choice's first rule goes back up to Wait. */
const POLLING: AslMachine = {
  StartAt: 'Submit',
  States: {
    Submit: task({ Next: 'Wait' }),
    Wait: { Type: 'Wait', Next: 'Poll' },
    Poll: task({ Retry: [{ ErrorEquals: ['States.ALL'], MaxAttempts: 0 }], Next: 'IsDone' }),
    IsDone: { Type: 'Choice', Choices: [{ Next: 'Wait' }], Default: 'Finish' },
    Finish: task({ End: true }),
  },
};

/** A legacy Map (Iterator) with an unreachable state, and state names with '/' and '%'. */
const ODD: AslMachine = {
  StartAt: 'a/b',
  States: {
    'a/b': { Type: 'Map', Iterator: { StartAt: 'x', States: { x: pass({ End: true }) } }, Next: 'a%2Fb' },
    'a%2Fb': pass({ End: true }),
    'a/b/0/x': pass({ End: true }),
    Orphan: pass({ End: true }),
  },
};

const SHAPES: Record<string, AslMachine> = { 'every shape': EVERY_SHAPE, polling: POLLING, odd: ODD };

/** Every state with its scope path, and every transition the definition says (+ one per Retry). */
function expected(m: AslMachine, scope = ''): { states: string[]; edges: string[] } {
  const states: string[] = [];
  const edges: string[] = [];
  for (const [name, s] of Object.entries(m.States ?? {})) {
    states.push(`${scope}${name}`);
    for (const t of transitions(s)) edges.push(`${scope}${name} -${t.kind}-> ${scope}${t.to}`);
    if (retries(s) > 0) edges.push(`${scope}${name} -retry-> ${scope}${name}`);
    const subs =
      s.Type === 'Parallel' ? (s.Branches ?? []) : s.Type === 'Map' ? [s.ItemProcessor ?? s.Iterator!] : [];
    subs.forEach((sub, i) => {
      const inner = expected(sub, `${scope}${name}[${i}].`);
      states.push(...inner.states);
      edges.push(...inner.edges);
    });
  }
  return { states: states.sort(), edges: edges.sort() };
}

/** The same facts read back from the graph. */
function drawn(g: Graph): { states: string[]; edges: string[] } {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const path = (n: GraphNode): string => {
    if (!n.parentId) return n.name;
    const parent = byId.get(n.parentId)!;
    const branch = n.id.slice(n.parentId.length + 1).split('/')[0];
    return `${path(parent)}[${branch}].${n.name}`;
  };
  return {
    states: g.nodes.map(path).sort(),
    edges: g.edges
      .map((e) => `${path(byId.get(e.source)!)} -${e.kind}-> ${path(byId.get(e.target)!)}`)
      .sort(),
  };
}

interface Box {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** Absolute boxes: the node itself, and its footprint (the node and the room for its loop). */
function absolute(g: Graph): Map<string, { node: GraphNode; box: Box; footprint: Box }> {
  const byId = new Map(g.nodes.map((n) => [n.id, n]));
  const origin = (n: GraphNode): { x: number; y: number } => {
    if (!n.parentId) return { x: n.x, y: n.y };
    const p = origin(byId.get(n.parentId)!);
    return { x: p.x + n.x, y: p.y + n.y };
  };
  return new Map(
    g.nodes.map((n) => {
      const o = origin(n);
      const box = { x: o.x, y: o.y, w: n.width, h: n.height };
      return [n.id, { node: n, box, footprint: { ...box, w: n.width + n.loopWidth } }];
    }),
  );
}

const intersects = (a: Box, b: Box) =>
  a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
const inside = (a: Box, b: Box) =>
  a.x >= b.x && a.y >= b.y && a.x + a.w <= b.x + b.w && a.y + a.h <= b.y + b.h;

describe('layoutMachine', () => {
  for (const [shape, def] of Object.entries(SHAPES)) {
    describe(shape, () => {
      const g = layoutMachine(def);

      it('draws every state as a node and every transition as an edge', () => {
        assert.deepEqual(drawn(g), expected(def));
        assert.equal(new Set(g.nodes.map((n) => n.id)).size, g.nodes.length, 'node ids are unique');
        assert.equal(new Set(g.edges.map((e) => e.id)).size, g.edges.length, 'edge ids are unique');
      });

      it('overlaps nothing: boxes with their retry loops are apart, children inside their parent', () => {
        const boxes = [...absolute(g).values()];
        const ancestors = (n: GraphNode): Set<string> => {
          const out = new Set<string>();
          for (let p = n.parentId; p; p = g.nodes.find((m) => m.id === p)!.parentId) out.add(p);
          return out;
        };
        for (const a of boxes) {
          assert.ok(a.box.w > 0 && a.box.h > 0, `${a.node.id} has a size`);
          const up = ancestors(a.node);
          if (a.node.parentId) {
            const parent = boxes.find((b) => b.node.id === a.node.parentId)!;
            assert.ok(inside(a.footprint, parent.box), `${a.node.id} lies inside ${parent.node.id}`);
            assert.ok(a.box.y >= parent.box.y + 30, `${a.node.id} is below its parent's title`);
          } else {
            assert.ok(
              inside(a.footprint, { x: 0, y: 0, w: g.width, h: g.height }),
              `${a.node.id} in the graph`,
            );
          }
          for (const b of boxes) {
            if (a === b || up.has(b.node.id) || ancestors(b.node).has(a.node.id)) continue;
            assert.ok(!intersects(a.footprint, b.footprint), `${a.node.id} overlaps ${b.node.id}`);
          }
        }
      });

      it('runs no edge through a box, puts no label on a box or on another label', () => {
        const abs = absolute(g);
        const within = (outer: string, id: string) => id.startsWith(`${outer}/`);
        const labels: { edge: string; box: Box }[] = [];
        for (const e of g.edges) {
          const s = abs.get(e.source)!;
          const t = abs.get(e.target)!;
          // Around the label's middle: 10 px text, about 6 px a character, cut at 28 (Graph.tsx).
          const labelBox = ([x, y]: [number, number], text: string): Box => {
            const w = Math.min(text.length, 28) * 6 + 4;
            return { x: x - w / 2, y: y - (LANE - 2) / 2, w, h: LANE - 2 };
          };
          if (e.route.kind === 'loop') {
            const right = s.box.x + s.box.w;
            labels.push({
              edge: e.id,
              box: labelBox([right + LOOP_BULGE, s.box.y + (LOOP_IN_Y + LOOP_OUT_Y) / 2], e.label!),
            });
            continue;
          }
          const { points, label } = routePoints(
            e.route,
            s.box.x + s.box.w / 2,
            s.box.y + s.box.h,
            t.box.x + t.box.w / 2,
            t.box.y,
          );
          if (e.label) labels.push({ edge: e.id, box: labelBox(label, e.label) });
          for (let i = 1; i < points.length; i++) {
            const [[x1, y1], [x2, y2]] = [points[i - 1]!, points[i]!];
            assert.ok(x1 === x2 || y1 === y2, `${e.id}: segments are horizontal or vertical`);
            const seg = {
              x: Math.min(x1, x2),
              y: Math.min(y1, y2),
              w: Math.abs(x2 - x1),
              h: Math.abs(y2 - y1),
            };
            for (const n of abs.values()) {
              if (within(n.node.id, e.source)) continue; // the group the edge runs in
              const inner = {
                x: n.footprint.x + 0.5,
                y: n.footprint.y + 0.5,
                w: n.footprint.w - 1,
                h: n.footprint.h - 1,
              };
              const hit =
                seg.x <= inner.x + inner.w &&
                inner.x <= seg.x + seg.w &&
                seg.y <= inner.y + inner.h &&
                inner.y <= seg.y + seg.h;
              assert.ok(!hit, `${e.id} runs through ${n.node.id}: ${JSON.stringify(seg)}`);
            }
          }
        }
        for (const l of labels) {
          const source = l.edge.slice(0, l.edge.indexOf('->'));
          for (const n of abs.values())
            if (!within(n.node.id, source))
              assert.ok(
                !intersects(l.box, n.node.id === source ? n.box : n.footprint),
                `the label of ${l.edge} lies on ${n.node.id}`,
              );
          for (const o of labels)
            if (o !== l) assert.ok(!intersects(l.box, o.box), `labels of ${l.edge} and ${o.edge} overlap`);
        }
      });

      it('puts every parent before its children (React Flow needs that)', () => {
        const seen = new Set<string>();
        for (const n of g.nodes) {
          if (n.parentId) assert.ok(seen.has(n.parentId), `${n.id} after its parent`);
          seen.add(n.id);
        }
      });

      it('connects states of one scope only, and lays ranks out top to bottom', () => {
        const abs = absolute(g);
        for (const e of g.edges) {
          const s = abs.get(e.source)!;
          const t = abs.get(e.target)!;
          assert.equal(s.node.parentId, t.node.parentId, `${e.id} stays in its scope`);
          if (e.kind === 'retry') assert.equal(e.source, e.target);
          else if (e.route.kind === 'down') assert.ok(t.box.y > s.box.y, `${e.id} goes down`);
        }
      });
    });
  }

  it('flags starts and ends, groups, depth and the loop room', () => {
    const g = layoutMachine(EVERY_SHAPE);
    const node = (id: string) => g.nodes.find((n) => n.id === id)!;
    assert.equal(node('Route').start, true);
    assert.equal(node('Route').group, false);
    assert.equal(node('Solo').end, true, 'a Task with End: true ends');
    assert.equal(node('Failed').end, true);
    assert.equal(node('Done').end, true);
    assert.equal(node('Skip').end, false);
    assert.equal(node('FanOut').group, true);
    assert.equal(node('Each').group, true);
    assert.equal(node('Each/0/Inner').group, true);
    assert.equal(node('Each/0/Inner').depth, 1);
    assert.equal(node('Each/0/Inner/1/B2').depth, 2);
    assert.equal(node('Each/0/Inner/1/B2').parentId, 'Each/0/Inner');
    assert.equal(node('Solo').loopWidth, LOOP_W);
    assert.equal(node('Route').loopWidth, 0);
    const edge = (id: string) => g.edges.find((e) => e.id.startsWith(id))!;
    assert.equal(edge('Solo->Solo:retry').label, 'Retry ×5');
    assert.equal(edge('FanOut->FanOut:retry').label, 'Retry ×3', "ASL's default MaxAttempts");
    assert.equal(edge('Solo->Recover:catch').label, 'Catch States.TaskFailed, States.Timeout');
    assert.deepEqual(
      g.edges.filter((e) => e.source === 'Route').map((e) => [e.target, e.kind, e.label]),
      [
        ['FanOut', 'choice', 'Choice 1'],
        ['Each', 'choice', 'Choice 2'],
        ['Solo', 'choice', 'Choice 3'],
        ['Skip', 'default', 'Default'],
      ],
    );
  });

  it('a retrier with MaxAttempts 0 never retries: no loop', () => {
    const g = layoutMachine(POLLING);
    assert.equal(g.edges.filter((e) => e.kind === 'retry').length, 0);
    assert.deepEqual(
      g.edges.filter((e) => e.route.kind === 'around').map((e) => [e.source, e.target]),
      [['IsDone', 'Wait']],
    );
  });

  it('names with / and % cannot collide with nested ids', () => {
    const g = layoutMachine(ODD);
    assert.deepEqual(g.nodes.map((n) => n.id).sort(), [
      'Orphan',
      'a%252Fb',
      'a%2Fb',
      'a%2Fb%2F0%2Fx',
      'a%2Fb/0/x',
    ]);
  });

  it('a definition that is not an object, or has no states, draws nothing', () => {
    for (const d of [null, 'x', 42, undefined])
      assert.deepEqual(layoutMachine(d), { nodes: [], edges: [], width: 0, height: 0 });
    assert.equal(layoutMachine({}).nodes.length, 0);
  });
});

describe('marksOf', () => {
  let id = 0;
  const ev = (type: string, state: string | null = null): HistoryEvent => ({
    id: ++id,
    previousEventId: id - 1,
    timestamp: new Date(id).toISOString(),
    type,
    state,
    details: {},
  });

  it('marks the running state current, inside a Parallel too', () => {
    const h = [
      ev('ExecutionStarted'),
      ev('ChoiceStateEntered', 'Route'),
      ev('ChoiceStateExited', 'Route'),
      ev('ParallelStateEntered', 'FanOut'),
      ev('WaitStateEntered', 'Left'),
      ev('TaskStateEntered', 'Right'),
      ev('TaskStateExited', 'Right'),
      ev('SucceedStateEntered', 'RightDone'),
      ev('SucceedStateExited', 'RightDone'),
    ];
    const m = marksOf(h, 'RUNNING');
    assert.equal(m.get('Route'), 'visited');
    assert.equal(m.get('Right'), 'visited');
    assert.equal(m.get('FanOut'), 'visited');
    assert.equal(m.get('Left'), 'current');
    assert.equal(m.get('Done'), undefined);
  });

  it('marks the failed state; a redrive that succeeds leaves only visited states', () => {
    const failed = [
      ev('ExecutionStarted'),
      ev('TaskStateEntered', 'Step'),
      ev('TaskFailed', 'Step'),
      ev('ExecutionFailed'),
    ];
    assert.equal(marksOf(failed, 'FAILED').get('Step'), 'failed');
    const redriving = [...failed, ev('ExecutionRedriven'), ev('TaskStateEntered', 'Step')];
    assert.equal(marksOf(redriving, 'RUNNING').get('Step'), 'current');
    const further = [...redriving, ev('TaskStateExited', 'Step'), ev('WaitStateEntered', 'Done')];
    const m = marksOf(further, 'RUNNING');
    assert.equal(m.get('Step'), 'visited');
    assert.equal(m.get('Done'), 'current');
    const done = [...further, ev('WaitStateExited', 'Done'), ev('ExecutionSucceeded')];
    assert.deepEqual(
      [...marksOf(done, 'SUCCEEDED')],
      [
        ['Step', 'visited'],
        ['Done', 'visited'],
      ],
    );
    // The redriven run leaves every state it entered, then fails: the failure is the last state's,
    // not the state the first attempt left open.
    const late = [...further, ev('WaitStateExited', 'Done'), ev('ExecutionFailed')];
    assert.equal(marksOf(late, 'FAILED').get('Done'), 'failed');
    assert.equal(marksOf(late, 'FAILED').get('Step'), 'visited');
  });
});
