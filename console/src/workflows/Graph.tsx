/**
 * A state machine drawn with React Flow: the layout from graph.ts, marks from an execution's
 * history. Edges leave a state at the bottom and enter the next at the top along the route the
 * layout gave them (lanes between the rows, a gutter left of them); a Retry is a small loop on
 * the right, in the room the layout keeps there.
 */
import {
  Background,
  BaseEdge,
  Controls,
  type Edge,
  type EdgeProps,
  Handle,
  MarkerType,
  type Node,
  type NodeProps,
  Position,
  ReactFlow,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { useContext, useMemo } from 'react';
import { DarkContext } from '../theme.ts';
import {
  type EdgeKind,
  LOOP_BULGE,
  LOOP_IN_Y,
  LOOP_OUT_Y,
  layoutMachine,
  type Mark,
  type Route,
  routePoints,
} from './graph.ts';
import './workflows.css';

interface StateData extends Record<string, unknown> {
  name: string;
  type: string;
  mark: Mark | undefined;
  start: boolean;
  end: boolean;
}

const MARK_TEXT: Record<Mark, string> = { visited: 'visited', current: 'current', failed: 'failed' };

/** Where edges meet a state: in at the top, out at the bottom, the retry loop on the right. */
function Handles() {
  return (
    <>
      <Handle id="in" type="target" position={Position.Top} isConnectable={false} />
      <Handle id="out" type="source" position={Position.Bottom} isConnectable={false} />
      <Handle
        id="loop-in"
        type="target"
        position={Position.Right}
        style={{ top: LOOP_IN_Y }}
        isConnectable={false}
      />
      <Handle
        id="loop-out"
        type="source"
        position={Position.Right}
        style={{ top: LOOP_OUT_Y }}
        isConnectable={false}
      />
    </>
  );
}

/** A state's box: a plain state, or the frame of a Parallel/Map group (`wf-group`). */
function StateBox({ data, group }: { data: StateData; group: boolean }) {
  const base = group ? 'wf-group' : 'wf-node';
  return (
    <div
      className={`${base}${data.mark ? ` wf-${data.mark}` : ''}`}
      data-testid={`state-${data.name}`}
      data-mark={data.mark ?? ''}
    >
      <Handles />
      <span className="wf-name">{data.name}</span>
      {group ? ' ' : null}
      <span className="wf-type">
        {data.type}
        {data.start ? ' · start' : ''}
        {data.end ? ' · end' : ''}
        {data.mark ? ` · ${MARK_TEXT[data.mark]}` : ''}
      </span>
    </div>
  );
}

const StateNode = ({ data }: NodeProps<Node<StateData>>) => <StateBox data={data} group={false} />;
const GroupNode = ({ data }: NodeProps<Node<StateData>>) => <StateBox data={data} group />;

const NODE_TYPES = { state: StateNode, stateGroup: GroupNode };

/** A Retry: from the state's right side back into it, bulging LOOP_BULGE px out, label on the bulge. */
function RetryEdge({ id, sourceX, sourceY, targetX, targetY, markerEnd, style, label }: EdgeProps) {
  const c = (LOOP_BULGE * 4) / 3; // a cubic's control points this far out put its apex at LOOP_BULGE
  const path = `M ${sourceX} ${sourceY} C ${sourceX + c} ${sourceY}, ${targetX + c} ${targetY}, ${targetX} ${targetY}`;
  return (
    <BaseEdge
      id={id}
      path={path}
      {...(markerEnd ? { markerEnd } : {})}
      {...(style ? { style } : {})}
      label={label}
      labelX={Math.max(sourceX, targetX) + LOOP_BULGE}
      labelY={(sourceY + targetY) / 2}
      labelBgPadding={[2, 1]}
    />
  );
}

/** An SVG path through the corners, rounded a little. */
function rounded(points: [number, number][], r = 6): string {
  let d = `M ${points[0]![0]} ${points[0]![1]}`;
  for (let i = 1; i < points.length - 1; i++) {
    const [px, py] = points[i - 1]!;
    const [x, y] = points[i]!;
    const [nx, ny] = points[i + 1]!;
    const k = Math.min(r, Math.hypot(x - px, y - py) / 2, Math.hypot(nx - x, ny - y) / 2);
    const before = [x - Math.sign(x - px) * k, y - Math.sign(y - py) * k];
    const after = [x + Math.sign(nx - x) * k, y + Math.sign(ny - y) * k];
    d += ` L ${before[0]} ${before[1]} Q ${x} ${y} ${after[0]} ${after[1]}`;
  }
  const [lx, ly] = points.at(-1)!;
  return `${d} L ${lx} ${ly}`;
}

/** A transition along its route: in its own lane between the rows, or around through the gutter. */
function RouteEdge({
  id,
  sourceX,
  sourceY,
  targetX,
  targetY,
  markerEnd,
  style,
  label,
  data,
}: EdgeProps<Edge<{ route: Exclude<Route, { kind: 'loop' }> }>>) {
  const { points, label: at } = routePoints(data!.route, sourceX, sourceY, targetX, targetY);
  return (
    <BaseEdge
      id={id}
      path={rounded(points)}
      {...(markerEnd ? { markerEnd } : {})}
      {...(style ? { style } : {})}
      label={label}
      labelX={at[0]}
      labelY={at[1]}
      labelBgPadding={[2, 1]}
    />
  );
}

const EDGE_TYPES = { retry: RetryEdge, route: RouteEdge };

const EDGE_STYLE: Record<EdgeKind, { strokeDasharray?: string }> = {
  next: {},
  choice: {},
  default: { strokeDasharray: '2 3' },
  catch: { strokeDasharray: '6 4' },
  retry: { strokeDasharray: '3 2' },
};

/** Long Catch labels (many error names) are cut on the canvas; the caption has them whole. */
const short = (label: string) => (label.length > 28 ? `${label.slice(0, 27)}…` : label);

export function WorkflowGraph({
  definition,
  marks,
  label,
}: {
  definition: unknown;
  marks?: ReadonlyMap<string, Mark>;
  label: string;
}) {
  const dark = useContext(DarkContext);
  const graph = useMemo(() => layoutMachine(definition), [definition]);
  const nodes = useMemo<Node<StateData>[]>(
    () =>
      graph.nodes.map((n) => ({
        id: n.id,
        type: n.group ? 'stateGroup' : 'state',
        position: { x: n.x, y: n.y },
        ...(n.parentId ? { parentId: n.parentId, extent: 'parent' as const } : {}),
        style: { width: n.width, height: n.height },
        width: n.width,
        height: n.height,
        draggable: false,
        connectable: false,
        selectable: false,
        focusable: false,
        data: { name: n.name, type: n.type, mark: marks?.get(n.name), start: n.start, end: n.end },
      })),
    [graph, marks],
  );
  const edges = useMemo<Edge[]>(
    () =>
      graph.edges.map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        ...(e.route.kind === 'loop'
          ? { type: 'retry', sourceHandle: 'loop-out', targetHandle: 'loop-in' }
          : { type: 'route', sourceHandle: 'out', targetHandle: 'in', data: { route: e.route } }),
        ...(e.label ? { label: short(e.label) } : {}),
        markerEnd: { type: MarkerType.ArrowClosed },
        style: EDGE_STYLE[e.kind],
        className: `wf-edge-${e.kind}`,
        focusable: false,
      })),
    [graph],
  );
  if (graph.nodes.length === 0) return <p className="muted">The definition has no states to draw.</p>;
  // Tall enough for the whole machine at a readable scale, within the screen.
  const height = Math.min(560, Math.max(220, graph.height + 80));
  const visited = [...(marks ?? new Map<string, Mark>())];
  const names = new Map(graph.nodes.map((n) => [n.id, n.name]));
  return (
    <figure className="wf-graph" style={{ height }} aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
        edgeTypes={EDGE_TYPES}
        colorMode={dark ? 'dark' : 'light'}
        fitView
        fitViewOptions={{ padding: 0.12, maxZoom: 1.1 }}
        minZoom={0.2}
        nodesDraggable={false}
        nodesConnectable={false}
        elementsSelectable={false}
        nodesFocusable={false}
        edgesFocusable={false}
        panOnScroll={false}
        zoomOnScroll={false}
        preventScrolling={false}
        proOptions={{ hideAttribution: true }}
      >
        <Background gap={20} size={1} />
        <Controls showInteractive={false} />
      </ReactFlow>
      {/* The same facts as text, for screen readers and for copying. */}
      <figcaption className="sr-only">
        {graph.nodes.length} states.
        {visited.length > 0 ? ` ${visited.map(([name, m]) => `${name}: ${MARK_TEXT[m]}`).join('; ')}.` : ''}
        {graph.edges.length > 0
          ? ` Transitions: ${graph.edges
              .map((e) => `${names.get(e.source)} to ${names.get(e.target)}${e.label ? ` (${e.label})` : ''}`)
              .join('; ')}.`
          : ''}
      </figcaption>
    </figure>
  );
}
