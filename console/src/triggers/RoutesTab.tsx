/** HTTP routes: `METHOD /path/{param}` keys on the gateway port, each to a function. */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, FunctionField, SelectField, TextField } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';

const KEY = ['routes'] as const;
const FORMATS = [
  { value: '2.0', label: '2.0 (HTTP API)' },
  { value: '1.0', label: '1.0 (REST API)' },
] as const;

export function RoutesTab() {
  const list = useGet(KEY, (c) => c.GET('/v1/routes'));
  return (
    <>
      <Can action="nimbus:CreateRoute">
        <AddRoute />
      </Can>
      <SectionHeader title="Routes" />
      <QueryState
        query={list}
        what="routes"
        items={(d) => d.routes}
        empty="No HTTP routes yet. Add one above: a request to the gateway then invokes the function."
      >
        {(routes) => (
          <Table
            label="HTTP routes"
            columns={['Route', 'Target', 'Payload', 'Auth', 'Created', { label: 'Actions', hidden: true }]}
          >
            {routes.map((r) => (
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
                  <Can action="nimbus:DeleteRoute">
                    <DeleteButton
                      accessibleName={`Delete route ${r.routeKey}`}
                      question={`Delete ${r.routeKey}?`}
                      call={(c) => c.DELETE('/v1/routes/{id}', { params: { path: { id: r.id } } })}
                      invalidate={[KEY]}
                    />
                  </Can>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </>
  );
}

function AddRoute() {
  const { client } = useSession();
  const [fn, setFn] = useState('');
  const [routeKey, setRouteKey] = useState('GET /items/{id}');
  const [format, setFormat] = useState<'2.0' | '1.0'>('2.0');
  const add = useChange({
    run: (body: Schema<'CreateRouteRequest'>) => ok(client.POST('/v1/routes', { body })),
    invalidate: [KEY],
  });
  return (
    <ChangeForm
      title="Add a route"
      change={add}
      failed="Could not add the route"
      submit="Add route"
      busy="Adding…"
      disabled={!fn}
      onSubmit={() => add.mutate({ function: fn, routeKey: routeKey.trim(), payloadFormat: format })}
      status={
        add.isSuccess ? (
          <p className="muted" role="status">
            Added <code>{add.data.route.routeKey}</code> → {add.data.route.function}
          </p>
        ) : null
      }
    >
      <div className="inline-form">
        <TextField
          id="route-key"
          label="Route key"
          grow
          value={routeKey}
          onChange={setRouteKey}
          required
          aria-describedby="route-key-help"
        />
        <FunctionField id="route-fn" value={fn} onChange={setFn} />
        <SelectField
          id="route-format"
          label="Payload format"
          value={format}
          onChange={setFormat}
          options={FORMATS}
        />
      </div>
      <p id="route-key-help" className="muted small">
        A method and a path: <code>GET /items/{'{id}'}</code>, <code>ANY /files/{'{proxy+}'}</code> or{' '}
        <code>$default</code>.
      </p>
    </ChangeForm>
  );
}
