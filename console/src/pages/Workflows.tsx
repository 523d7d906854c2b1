/** Workflows: the tenant's state machines (Amazon States Language), each linking to its graph and executions. */
import { Link } from 'react-router';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';

export default function Workflows() {
  const list = useGet(['workflows'], (c) => c.GET('/v1/workflows'));
  return (
    <>
      <PageHeader title="Workflows" />
      <QueryState
        query={list}
        what="workflows"
        items={(d) => d.workflows}
        empty={
          <>
            <p>No workflows yet.</p>
            <p className="muted small">
              Create a state machine with <code className="code">nimbus workflows deploy</code>, a{' '}
              <code className="code">PUT /v1/workflows/&lt;name&gt;</code> request or the Step Functions API.
            </p>
          </>
        }
      >
        {(workflows) => (
          <Table
            label="Workflows"
            columns={['Name', 'Type', { label: 'States', num: true }, 'Last modified']}
          >
            {workflows.map((w) => (
              <tr key={w.name}>
                <td>
                  <Link to={`/workflows/${encodeURIComponent(w.name)}`}>{w.name}</Link>
                </td>
                <td>{w.type}</td>
                <td className="num">{stateCount(w.definition)}</td>
                <td>{formatTime(w.updatedAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </>
  );
}

function stateCount(definition: Record<string, unknown>): number {
  const states = definition.States;
  return states && typeof states === 'object' ? Object.keys(states).length : 0;
}
