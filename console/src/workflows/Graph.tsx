/** A state machine drawn with React Flow: the layout from graph.ts, marks from an execution's history. */
import {
  Background,
  Controls,
  type Edge,
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
import { type EdgeKind, layoutMachine, type Mark } from './graph.ts';
import './workflows.css';

interface StateData extends Record<string, unknown> {
  name: string;
  type: string;
  mark: Mark | undefined;
  start: boolean;
  end: boolean;
}

const MARK_TEXT: Record<Mark, string> = { visited: 'visited', current: 'current', failed: 'failed' };

function StateNode({ data }: NodeProps<Node<StateData>>) {
  return (
    <div
      className={`wf-node${data.mark ? ` wf-${data.mark}` : ''}`}
      data-testid={`state-${data.name}`}
      data-mark={data.mark ?? ''}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <span className="wf-name">{data.name}</span>
      <span className="wf-type">
        {data.type}
        {data.start ? ' · start' : ''}
        {data.end ? ' · end' : ''}
        {data.mark ? ` · ${MARK_TEXT[data.mark]}` : ''}
      </span>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function GroupNode({ data }: NodeProps<Node<StateData>>) {
  return (
    <div
      className={`wf-group${data.mark ? ` wf-${data.mark}` : ''}`}
      data-testid={`state-${data.name}`}
      data-mark={data.mark ?? ''}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <span className="wf-name">{data.name}</span>{' '}
      <span className="wf-type">
        {data.type}
        {data.mark ? ` · ${MARK_TEXT[data.mark]}` : ''}
      </span>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

const NODE_TYPES = { state: StateNode, stateGroup: GroupNode };

const EDGE_STYLE: Record<EdgeKind, { strokeDasharray?: string }> = {
  next: {},
  choice: {},
  default: { strokeDasharray: '2 3' },
  catch: { strokeDasharray: '6 4' },
};

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
        type: 'smoothstep',
        ...(e.label ? { label: e.label } : {}),
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
  return (
    <figure className="wf-graph" style={{ height }} aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={NODE_TYPES}
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
      </figcaption>
    </figure>
  );
}
