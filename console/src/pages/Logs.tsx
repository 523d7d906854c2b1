import { type FormEvent, useEffect, useState } from 'react';
import { useSearchParams } from 'react-router';
import type { Schema } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { followLines } from '../api/raw.ts';
import type { operations } from '../api/schema';
import { SelectField, TextField } from '../components/form.tsx';
import { useFunctions, useGet } from '../components/query.ts';
import { Empty, ErrorBox, Loading, PageHeader } from '../components/states.tsx';
import { useSession } from '../session.tsx';

const LEVELS = [
  { value: '', label: 'any' },
  ...['trace', 'debug', 'info', 'warn', 'error', 'fatal'].map((l) => ({ value: l, label: l.toUpperCase() })),
];
const MAX_LINES = 2000;

type LogLine = Schema<'LogLineView'>;
type LogQuery = NonNullable<operations['getFunctionsNameLogs']['parameters']['query']>;

interface Filters {
  fn: string;
  level: string;
  q: string;
  requestId: string;
}

/** The filters as the logs route's query (the search's and the live tail's). */
function queryOf(f: Filters, extra: LogQuery): LogQuery {
  return {
    ...extra,
    ...(f.level ? { level: f.level } : {}),
    ...(f.q ? { q: f.q } : {}),
    ...(f.requestId ? { requestId: f.requestId } : {}),
  };
}

/** A query for the raw NDJSON request (only the scalar parameters the tail uses). */
function searchOf(q: LogQuery): string {
  const s = new URLSearchParams();
  for (const [k, v] of Object.entries(q)) if (v !== undefined && !Array.isArray(v)) s.set(k, String(v));
  return s.toString();
}

export default function Logs() {
  const { key } = useSession();
  const [params, setParams] = useSearchParams();
  const functions = useFunctions();
  const applied: Filters = {
    fn: params.get('function') ?? '',
    level: params.get('level') ?? '',
    q: params.get('q') ?? '',
    requestId: params.get('requestId') ?? '',
  };
  const [form, setForm] = useState(applied);
  const { level, q: text, requestId } = applied;
  const fn = applied.fn || functions.data?.functions[0]?.name || '';
  const search = useGet(
    ['logs', fn, applied.level, applied.q, applied.requestId],
    (c) =>
      c.GET('/v1/functions/{name}/logs', {
        params: { path: { name: fn }, query: queryOf(applied, { tail: '1', limit: 200 }) },
      }),
    { enabled: fn !== '' },
  );

  // Live tail: lines after the search's newest, streamed (NDJSON) until stopped.
  const [live, setLive] = useState(false);
  const [tailed, setTailed] = useState<LogLine[]>([]);
  const [tailError, setTailError] = useState<unknown>();
  const from = search.data?.nextSeq;
  useEffect(() => {
    setTailed([]);
    if (!live || fn === '' || from === undefined) return;
    const stop = new AbortController();
    setTailError(undefined);
    const q = searchOf(queryOf({ fn, level, q: text, requestId }, { follow: '1', afterSeq: from }));
    followLines<LogLine>(key, `/v1/functions/${encodeURIComponent(fn)}/logs?${q}`, stop.signal, (l) =>
      setTailed((t) => (t.length >= MAX_LINES ? [...t.slice(-MAX_LINES + 1), l] : [...t, l])),
    ).catch((e: unknown) => {
      if (!stop.signal.aborted) setTailError(e instanceof ApiError ? e : new Error(String(e)));
    });
    return () => stop.abort();
  }, [live, fn, from, key, level, text, requestId]);

  function apply(e: FormEvent) {
    e.preventDefault();
    const next = new URLSearchParams();
    if (form.fn || fn) next.set('function', form.fn || fn);
    if (form.level) next.set('level', form.level);
    if (form.q) next.set('q', form.q);
    if (form.requestId) next.set('requestId', form.requestId);
    setParams(next);
  }

  const lines = [...(search.data?.lines ?? []), ...tailed];
  return (
    <>
      <PageHeader title="Logs" />
      <form className="card filters" onSubmit={apply} aria-label="Log filters">
        <SelectField
          id="log-fn"
          label="Function"
          value={form.fn || fn}
          onChange={(v) => setForm({ ...form, fn: v })}
          options={(functions.data?.functions ?? []).map((f) => f.name)}
        />
        <SelectField
          id="log-level"
          label="Level (at least)"
          value={form.level}
          onChange={(level) => setForm({ ...form, level })}
          options={LEVELS}
        />
        <TextField
          id="log-q"
          label="Text"
          grow
          type="search"
          value={form.q}
          placeholder="contains…"
          onChange={(q) => setForm({ ...form, q })}
        />
        <TextField
          id="log-req"
          label="Request id"
          value={form.requestId}
          onChange={(requestId) => setForm({ ...form, requestId })}
        />
        <div className="filter-actions">
          <button type="submit" className="primary">
            Search
          </button>
          <button type="button" aria-pressed={live} onClick={() => setLive((l) => !l)}>
            {live ? '■ Stop live tail' : '▶ Live tail'}
          </button>
        </div>
      </form>
      {functions.isError ? <ErrorBox error={functions.error} title="Could not list functions" /> : null}
      {functions.isSuccess && functions.data.functions.length === 0 ? (
        <Empty>No functions, so no logs yet.</Empty>
      ) : search.isPending && fn ? (
        <Loading what="log lines" />
      ) : search.isError ? (
        <ErrorBox error={search.error} title="Could not search the logs" />
      ) : null}
      {tailError ? <ErrorBox error={tailError} title="The live tail stopped" /> : null}
      {search.isSuccess ? (
        lines.length === 0 ? (
          <Empty>{`No log lines match${live ? ' yet; new ones appear here as they arrive' : ''}.`}</Empty>
        ) : (
          <div
            className="log-view"
            role="log"
            aria-label={`Log lines of ${fn}`}
            aria-live={live ? 'polite' : 'off'}
            // biome-ignore lint/a11y/noNoninteractiveTabindex: it scrolls, so the keyboard must reach it (axe scrollable-region-focusable)
            tabIndex={0}
          >
            {lines.map((l) => (
              <div key={l.seq} className={`log-line lvl-${(l.level ?? 'none').toLowerCase()}`}>
                <time dateTime={new Date(l.ts).toISOString()}>{new Date(l.ts).toLocaleTimeString()}</time>
                <span className="lvl">{l.level ?? '·'}</span>
                <span className="msg">{l.message}</span>
              </div>
            ))}
          </div>
        )
      ) : null}
      {search.data?.more ? <p className="muted small">Showing the newest 200 matching lines.</p> : null}
    </>
  );
}
