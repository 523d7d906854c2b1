/** HTTP routes: `METHOD /path/{param}` keys on the gateway port, each to a function. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading } from '../ui.tsx';
import { ConfirmButton, FunctionSelect } from './common.tsx';
import type { CreateRouteRequest, RouteView } from './types.ts';

const KEY = ['routes'] as const;

export function RoutesTab() {
  const { api } = useSession();
  const list = useQuery({ queryKey: KEY, queryFn: () => api<{ routes: RouteView[] }>('GET', '/v1/routes') });
  return (
    <>
      <AddRoute />
      <div className="section-head">
        <h2>Routes</h2>
      </div>
      {list.isPending ? (
        <Loading what="routes" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list routes" />
      ) : list.data.routes.length === 0 ? (
        <Empty>
          <p>No HTTP routes yet. Add one above: a request to the gateway then invokes the function.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="HTTP routes">
            <thead>
              <tr>
                <th scope="col">Route</th>
                <th scope="col">Target</th>
                <th scope="col">Payload</th>
                <th scope="col">Auth</th>
                <th scope="col">Created</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {list.data.routes.map((r) => (
                <tr key={r.id}>
                  <td>
                    <code>{r.routeKey}</code>
                    {r.stage ? <span className="muted small"> stage {r.stage}</span> : null}
                  </td>
                  <td>
                    {r.function ?? `state machine ${r.stateMachine ?? '?'}`}
                    {r.qualifier ? `:${r.qualifier}` : ''}
                  </td>
                  <td>{r.payloadFormat}</td>
                  <td>{r.auth ? String(r.auth.type) : 'none'}</td>
                  <td>{formatTime(r.createdAt)}</td>
                  <td>
                    <ConfirmButton
                      label="Delete"
                      accessibleName={`Delete route ${r.routeKey}`}
                      question={`Delete ${r.routeKey}?`}
                      yes="Yes, delete"
                      run={() => api('DELETE', `/v1/routes/${encodeURIComponent(r.id)}`)}
                      invalidate={[KEY]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function AddRoute() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [fn, setFn] = useState('');
  const [routeKey, setRouteKey] = useState('GET /items/{id}');
  const [format, setFormat] = useState<'2.0' | '1.0'>('2.0');
  const add = useMutation({
    mutationFn: (body: CreateRouteRequest) => api<{ route: RouteView }>('POST', '/v1/routes', body),
    onSuccess: () => queries.invalidateQueries({ queryKey: KEY }),
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    add.mutate({ function: fn, routeKey: routeKey.trim(), payloadFormat: format });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="add-route">
      <h2 id="add-route">Add a route</h2>
      <div className="inline-form">
        <div className="grow">
          <label htmlFor="route-key">Route key</label>
          <input
            id="route-key"
            value={routeKey}
            onChange={(e) => setRouteKey(e.target.value)}
            required
            aria-describedby="route-key-help"
          />
        </div>
        <div>
          <label htmlFor="route-fn">Function</label>
          <FunctionSelect id="route-fn" value={fn} onChange={setFn} />
        </div>
        <div>
          <label htmlFor="route-format">Payload format</label>
          <select
            id="route-format"
            value={format}
            onChange={(e) => setFormat(e.target.value as '2.0' | '1.0')}
          >
            <option value="2.0">2.0 (HTTP API)</option>
            <option value="1.0">1.0 (REST API)</option>
          </select>
        </div>
        <div>
          <button type="submit" className="primary" disabled={add.isPending || !fn}>
            {add.isPending ? 'Adding…' : 'Add route'}
          </button>
        </div>
      </div>
      <p id="route-key-help" className="muted small">
        A method and a path: <code>GET /items/{'{id}'}</code>, <code>ANY /files/{'{proxy+}'}</code> or{' '}
        <code>$default</code>.
      </p>
      {add.isError ? <ErrorBox error={add.error} title="Could not add the route" /> : null}
      {add.isSuccess ? (
        <p className="muted" role="status">
          Added <code>{add.data.route.routeKey}</code> → {add.data.route.function}
        </p>
      ) : null}
    </form>
  );
}
