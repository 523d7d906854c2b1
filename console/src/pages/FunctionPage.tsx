import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useContext, useEffect, useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { ok } from '../api/client.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { FUNCTIONS, functionKey, useGet } from '../components/query.ts';
import { ErrorBox, Loading, PageHeader } from '../components/states.tsx';
import { formatMs, formatTime } from '../components/text.ts';
import { Editor } from '../Editor.tsx';
import { CodePanel } from '../function/Code.tsx';
import { FunctionSettings } from '../function/Settings.tsx';
import { Can, PermissionScope } from '../permissions.ts';
import { useSession } from '../session.tsx';
import { DarkContext } from '../theme.ts';
import { deleteEvent, savedEvents, saveEvent } from './test-events.ts';

export default function FunctionPage() {
  const name = useParams().name ?? '';
  const fn = useGet(functionKey(name), (c) => c.GET('/v1/functions/{name}', { params: { path: { name } } }));
  if (fn.isPending) return <Loading what={name} />;
  if (fn.isError)
    return (
      <>
        <PageHeader title={name} />
        <ErrorBox error={fn.error} title={`Could not load ${name}`} />
        <p>
          <Link to="/functions">Back to functions</Link>
        </p>
      </>
    );
  const f = fn.data.function;
  return (
    <PermissionScope resource={{ function: f.name }}>
      <PageHeader title={f.name}>
        <Can action="lambda:DeleteFunction">
          <DeleteFunction name={f.name} />
        </Can>
      </PageHeader>
      <dl className="facts">
        <div>
          <dt>Runtime</dt>
          <dd>{f.runtime}</dd>
        </div>
        <div>
          <dt>Handler</dt>
          <dd>
            <code>{f.handler}</code>
          </dd>
        </div>
        <div>
          <dt>Memory</dt>
          <dd>{f.memoryMb} MB</dd>
        </div>
        <div>
          <dt>Timeout</dt>
          <dd>{f.timeoutSec} s</dd>
        </div>
        <div>
          <dt>Last modified</dt>
          <dd>{formatTime(f.updatedAt)}</dd>
        </div>
        <div>
          <dt>Code</dt>
          <dd title={f.codeSha256}>
            {(f.codeSize / 1024).toFixed(1)} KiB · {f.codeSha256.slice(0, 10)}
          </dd>
        </div>
      </dl>
      <div className="split">
        <CodePanel f={f} />
        <TestPanel name={f.name} />
      </div>
      <FunctionSettings detail={fn.data} />
    </PermissionScope>
  );
}

function DeleteFunction({ name }: { name: string }) {
  const navigate = useNavigate();
  return (
    <DeleteButton
      question={`Delete ${name} and its versions?`}
      call={(c) => c.DELETE('/v1/functions/{name}', { params: { path: { name } } })}
      invalidate={[FUNCTIONS]}
      onDone={() => navigate('/functions')}
    />
  );
}

function TestPanel({ name }: { name: string }) {
  const { client } = useSession();
  const dark = useContext(DarkContext);
  const queries = useQueryClient();
  const [events, setEvents] = useState(() => savedEvents(name));
  const first = Object.keys(events)[0];
  const [selected, setSelected] = useState(first ?? '');
  const [event, setEvent] = useState(first ? events[first]! : '{}\n');
  const [saveAs, setSaveAs] = useState(first ?? 'event1');
  const [parseError, setParseError] = useState<string>();
  useEffect(() => setEvents(savedEvents(name)), [name]);

  const invoke = useMutation({
    mutationFn: (payload: unknown) =>
      ok(
        client.POST('/v1/functions/{name}/invoke', {
          params: { path: { name }, query: { logs: 'tail' } },
          body: payload,
        }),
      ),
    onSettled: () => queries.invalidateQueries({ queryKey: ['status'] }),
  });

  function run() {
    let payload: unknown;
    try {
      payload = JSON.parse(event || '{}');
    } catch (e) {
      setParseError((e as Error).message);
      return;
    }
    setParseError(undefined);
    invoke.mutate(payload);
  }

  function pick(n: string) {
    setSelected(n);
    if (events[n] !== undefined) {
      setEvent(events[n]);
      setSaveAs(n);
    }
  }

  const r = invoke.data;
  return (
    <section className="card panel" aria-labelledby="test-title">
      <h2 id="test-title">Test</h2>
      <div className="row wrap">
        <label htmlFor="saved-event">Saved event</label>
        <select id="saved-event" value={selected} onChange={(e) => pick(e.target.value)}>
          {Object.keys(events).length === 0 ? <option value="">(none saved)</option> : null}
          {Object.keys(events).map((n) => (
            <option key={n} value={n}>
              {n}
            </option>
          ))}
        </select>
        {selected && events[selected] !== undefined ? (
          <button
            type="button"
            className="ghost"
            onClick={() => {
              deleteEvent(name, selected);
              const rest = savedEvents(name);
              setEvents(rest);
              setSelected(Object.keys(rest)[0] ?? '');
            }}
          >
            Remove
          </button>
        ) : null}
      </div>
      <Editor
        value={event}
        onChange={setEvent}
        language="json"
        label="Test event (JSON)"
        dark={dark}
        minHeight="7rem"
      />
      {parseError ? (
        <p className="error-text" role="alert">
          The event is not JSON: {parseError}
        </p>
      ) : null}
      <div className="row wrap">
        <Can action="lambda:InvokeFunction">
          <button type="button" className="primary" onClick={run} disabled={invoke.isPending}>
            {invoke.isPending ? 'Invoking…' : 'Invoke'}
          </button>
        </Can>
        <label htmlFor="save-as" className="sr-only">
          Save event as
        </label>
        <input id="save-as" className="short" value={saveAs} onChange={(e) => setSaveAs(e.target.value)} />
        <button
          type="button"
          onClick={() => {
            if (!saveAs.trim()) return;
            saveEvent(name, saveAs.trim(), event);
            setEvents(savedEvents(name));
            setSelected(saveAs.trim());
          }}
        >
          Save event
        </button>
      </div>
      {invoke.isError ? <ErrorBox error={invoke.error} title="Invoke failed" /> : null}
      {r ? (
        <div className="result" aria-live="polite" data-testid="invoke-result">
          <p>
            <span className={`badge ${r.ok ? 'ok' : 'bad'}`}>{r.ok ? 'Succeeded' : 'Failed'}</span>{' '}
            <span data-testid="invoke-duration">{formatMs(r.durationMs)}</span> · billed{' '}
            {formatMs(r.billedDurationMs)}
            {r.cold
              ? ` · cold start${r.initDurationMs ? ` (init ${formatMs(r.initDurationMs)})` : ''}`
              : ' · warm'}
            {r.maxRssBytes ? ` · ${(r.maxRssBytes / 1048576).toFixed(0)} of ${r.memoryMb} MB` : ''}
          </p>
          <h3>{r.ok ? 'Result' : 'Error'}</h3>
          <pre className="output" data-testid="invoke-output">
            {JSON.stringify(r.ok ? r.result : r.error, null, 2)}
          </pre>
          <h3>Log output</h3>
          <pre className="output logs" data-testid="invoke-logs">
            {r.logTail ?? '(no log lines)'}
          </pre>
          <p className="muted small">
            Request {r.requestId} ·{' '}
            <Link
              to={`/logs?function=${encodeURIComponent(name)}&requestId=${encodeURIComponent(r.requestId)}`}
            >
              all its log lines
            </Link>
          </p>
        </div>
      ) : null}
    </section>
  );
}
