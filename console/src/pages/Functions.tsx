import { useQuery } from '@tanstack/react-query';
import { Link } from 'react-router';
import type { FunctionStatus, FunctionView } from '../api.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

function stateOf(s: FunctionStatus | undefined): { label: string; tone: string } {
  if (!s) return { label: 'Idle', tone: 'idle' };
  if (s.busy > 0 || s.inflight > 0) return { label: `Running (${s.inflight})`, tone: 'busy' };
  if (s.warm > 0 || s.starting > 0) return { label: `Warm (${s.warm + s.starting})`, tone: 'warm' };
  return { label: 'Idle', tone: 'idle' };
}

export function Functions() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['functions'],
    queryFn: () => api<{ functions: FunctionView[] }>('GET', '/v1/functions'),
  });
  // The instance state is extra: the list shows without it (a key may not read status).
  const status = useQuery({
    queryKey: ['status'],
    queryFn: () => api<{ functions: FunctionStatus[] }>('GET', '/v1/status'),
    refetchInterval: 5000,
  });
  const byName = new Map((status.data?.functions ?? []).map((s) => [s.functionName, s]));

  return (
    <>
      <PageHeader title="Functions">
        <Link className="button primary" to="/functions/new">
          Create function
        </Link>
      </PageHeader>
      {list.isPending ? (
        <Loading what="functions" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list functions" />
      ) : list.data.functions.length === 0 ? (
        <Empty>
          <p>No functions yet.</p>
          <Link className="button primary" to="/functions/new">
            Create one from a template
          </Link>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Functions">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Runtime</th>
                <th scope="col" className="num">
                  Memory
                </th>
                <th scope="col">Last modified</th>
                <th scope="col">State</th>
              </tr>
            </thead>
            <tbody>
              {list.data.functions.map((f) => {
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
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}
