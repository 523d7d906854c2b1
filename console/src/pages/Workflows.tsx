/** Workflows: the tenant's state machines (Amazon States Language), each linking to its graph and executions. */
import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';
import type { MachineView } from '../workflows/types.ts';

export default function Workflows() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['workflows'],
    queryFn: () => api<{ workflows: MachineView[] }>('GET', '/v1/workflows'),
  });
  return (
    <>
      <PageHeader title="Workflows" />
      {list.isPending ? (
        <Loading what="workflows" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list workflows" />
      ) : list.data.workflows.length === 0 ? (
        <Empty>
          <p>No workflows yet.</p>
          <p className="muted small">
            Create a state machine with <code className="code">nimbus workflows deploy</code>, a{' '}
            <code className="code">PUT /v1/workflows/&lt;name&gt;</code> request or the Step Functions API.
          </p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Workflows">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Type</th>
                <th scope="col" className="num">
                  States
                </th>
                <th scope="col">Last modified</th>
              </tr>
            </thead>
            <tbody>
              {list.data.workflows.map((w) => (
                <tr key={w.name}>
                  <td>
                    <Link to={`/workflows/${encodeURIComponent(w.name)}`}>{w.name}</Link>
                  </td>
                  <td>{w.type}</td>
                  <td className="num">{stateCount(w.definition)}</td>
                  <td>{w.updatedAt ? formatTime(w.updatedAt) : '–'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function stateCount(definition: unknown): number {
  const states = (definition as { States?: Record<string, unknown> } | null)?.States;
  return states && typeof states === 'object' ? Object.keys(states).length : 0;
}
