import { Link } from 'react-router';
import type { Schema } from '../api/client.ts';
import { useFunctions, useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';

function stateOf(s: Schema<'FunctionStatus'> | undefined): { label: string; tone: string } {
  if (!s) return { label: 'Idle', tone: 'idle' };
  if (s.busy > 0 || s.inflight > 0) return { label: `Running (${s.inflight})`, tone: 'busy' };
  if (s.warm > 0 || s.starting > 0) return { label: `Warm (${s.warm + s.starting})`, tone: 'warm' };
  return { label: 'Idle', tone: 'idle' };
}

export function Functions() {
  const list = useFunctions();
  // The instance state is extra: the list shows without it (a key may not read status).
  const status = useGet(['status'], (c) => c.GET('/v1/status'), { refetchInterval: 5000 });
  const byName = new Map((status.data?.functions ?? []).map((s) => [s.functionName, s]));

  return (
    <>
      <PageHeader title="Functions">
        <Can action="lambda:CreateFunction">
          <Link className="button primary" to="/functions/new">
            Create function
          </Link>
        </Can>
      </PageHeader>
      <QueryState
        query={list}
        what="functions"
        items={(d) => d.functions}
        empty={
          <>
            <p>No functions yet.</p>
            <Can action="lambda:CreateFunction">
              <Link className="button primary" to="/functions/new">
                Create one from a template
              </Link>
            </Can>
          </>
        }
      >
        {(functions) => (
          <Table
            label="Functions"
            columns={['Name', 'Runtime', { label: 'Memory', num: true }, 'Last modified', 'State']}
          >
            {functions.map((f) => {
              const st = stateOf(byName.get(f.name));
              return (
                <tr key={f.name}>
                  <td>
                    <Link to={`/functions/${encodeURIComponent(f.name)}`}>{f.name}</Link>
                  </td>
                  <td>{f.runtime}</td>
                  <td className="num">{f.memoryMb} MB</td>
                  <td>{formatTime(f.updatedAt)}</td>
                  <td>
                    <span className={`badge ${st.tone}`}>{st.label}</span>
                  </td>
                </tr>
              );
            })}
          </Table>
        )}
      </QueryState>
    </>
  );
}
