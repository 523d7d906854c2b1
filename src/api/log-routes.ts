/**
 * Function logs over REST (docs/API.md): `GET /v1/functions/:name/logs` — a page (filtered by
 * level, time, text and JSON fields, with a seq cursor), or a live tail as NDJSON or Server-Sent
 * Events — and the tenant's logs setting, `GET`/`PUT /v1/settings/logs`.
 *
 * A filtered page reads the store window by window (`LogRepo.scan`) and looks at no more than
 * MAX_SCAN stored lines per request: when it stops early its `nextSeq` is where it stopped, so the
 * next request goes on from there even if this one found nothing.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Clock, Store } from '../core/ports.ts';
import type { LogScanQuery, StoredLogLine } from '../core/types.ts';
import { LogErrors } from '../observability/errors.ts';
import { isEmptyFilter, type LogFilter, matchesFields, parseLogFilter } from '../observability/log-filter.ts';
import { type LogSettingsCache, parseLogSettings } from '../observability/log-settings.ts';
import type { LogSink } from '../observability/logs.ts';
import { authorize, type Principal } from './auth.ts';
import { intQuery, params, parseJsonDocument } from './http.ts';
import { logLineView } from './views.ts';

export interface LogRouteDeps {
  readonly store: Store;
  readonly logSink: LogSink;
  readonly clock: Clock;
  readonly logSettings: LogSettingsCache;
  /** Poll interval for `logs?follow=1`. */
  readonly followPollMs?: number;
  /** SSE heartbeat comment interval (15 s). */
  readonly sseHeartbeatMs?: number;
}

/** Stored lines one filtered request looks at, at most. */
export const MAX_SCAN = 10_000;
const WINDOW = 1000;

type Query = Record<string, string | string[] | undefined>;

const one = (q: Query, k: string): string | undefined => {
  const v = q[k];
  if (Array.isArray(v)) throw LogErrors.BAD_QUERY({ reason: `${k} given more than once` });
  return v;
};

interface Page {
  lines: StoredLogLine[];
  nextSeq: number;
  /** The page stopped at its limit or its scan budget: there may be more after nextSeq. */
  more: boolean;
}

/** One page of a filtered query (oldest first), reading at most MAX_SCAN stored lines. */
async function filteredPage(
  store: Store,
  base: LogScanQuery,
  f: LogFilter,
  o: { afterSeq: number | undefined; limit: number; tail: boolean },
): Promise<Page> {
  const out: StoredLogLine[] = [];
  const q: LogScanQuery = {
    ...base,
    ...(f.minLevel ? { minLevel: f.minLevel } : {}),
    ...(f.text.length > 0 ? { text: f.text } : {}),
  };
  let scanned = 0;
  if (o.tail) {
    // Newest first: windows going back; the follow cursor is the newest seq seen.
    let before: number | undefined;
    let newest: number | undefined;
    while (scanned < MAX_SCAN) {
      const w = await store.logs.scan({ ...q, descending: true, beforeSeq: before, limit: WINDOW });
      if (newest === undefined) newest = w.maxSeq;
      scanned += WINDOW;
      // With a cursor, only lines after it (the newest `limit` of those).
      const floor = o.afterSeq ?? Number.NEGATIVE_INFINITY;
      for (let i = w.lines.length - 1; i >= 0 && out.length < o.limit; i--) {
        const l = w.lines[i]!;
        if (l.seq > floor && matchesFields(l, f.fields)) out.push(l);
      }
      if (out.length >= o.limit || w.horizon === undefined || w.horizon <= floor) break;
      before = w.horizon;
    }
    out.reverse();
    return { lines: out, nextSeq: Math.max(newest ?? 0, o.afterSeq ?? 0), more: false };
  }
  let cursor = o.afterSeq;
  while (scanned < MAX_SCAN) {
    const w = await store.logs.scan({ ...q, afterSeq: cursor, limit: WINDOW });
    scanned += WINDOW;
    for (const l of w.lines) {
      if (!matchesFields(l, f.fields)) continue;
      out.push(l);
      if (out.length === o.limit) return { lines: out, nextSeq: l.seq, more: true };
    }
    if (w.horizon === undefined) {
      const last = Math.max(cursor ?? 0, w.maxSeq ?? 0, out.at(-1)?.seq ?? 0);
      return { lines: out, nextSeq: last, more: false };
    }
    cursor = w.horizon;
  }
  return { lines: out, nextSeq: cursor ?? 0, more: true };
}

async function logsPage(
  d: LogRouteDeps,
  base: LogScanQuery,
  f: LogFilter,
  o: { afterSeq: number | undefined; limit: number | undefined; tail: boolean },
): Promise<Page> {
  const limit = Math.min(Math.max(1, o.limit ?? 1000), 10000);
  if (isEmptyFilter(f)) {
    const lines = await d.store.logs.query({ ...base, afterSeq: o.afterSeq, limit, tail: o.tail });
    return { lines, nextSeq: lines.at(-1)?.seq ?? o.afterSeq ?? 0, more: lines.length === limit };
  }
  return filteredPage(d.store, base, f, { ...o, limit });
}

/** Resolves after `ms` or as soon as the client has gone. */
const pause = (ms: number, gone: { closed: boolean; wake?: () => void }) =>
  new Promise<void>((r) => {
    const t = setTimeout(r, ms);
    gone.wake = () => {
      clearTimeout(t);
      r();
    };
  });

async function follow(
  d: LogRouteDeps,
  req: FastifyRequest,
  reply: FastifyReply,
  base: LogScanQuery,
  f: LogFilter,
  first: Page,
  sse: boolean,
): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': sse ? 'text/event-stream; charset=utf-8' : 'application/x-ndjson',
    'cache-control': 'no-cache',
    ...(sse ? { 'x-accel-buffering': 'no' } : {}),
  });
  const state: { closed: boolean; wake?: () => void } = { closed: false };
  const onGone = () => {
    state.closed = true;
    state.wake?.();
  };
  res.on('close', onGone);
  req.raw.on('close', () => {
    if (res.writableEnded || res.destroyed) onGone();
  });
  let cursor = first.nextSeq;
  const emit = (lines: readonly StoredLogLine[]) => {
    for (const l of lines) {
      const v = JSON.stringify(logLineView(l));
      res.write(sse ? `id: ${l.seq}\nevent: log\ndata: ${v}\n\n` : `${v}\n`);
    }
  };
  if (sse) res.write('retry: 1000\n\n');
  emit(first.lines);
  const heartbeatMs = d.sseHeartbeatMs ?? 15_000;
  const heartbeat = sse
    ? setInterval(() => {
        if (!state.closed) res.write(': keep-alive\n\n');
      }, heartbeatMs)
    : undefined;
  const poll = d.followPollMs ?? 250;
  const live: LogScanQuery = { ...base, since: undefined };
  try {
    let more = first.more;
    while (!state.closed) {
      // A page that stopped at its limit or scan budget goes on at once.
      if (!more) await pause(poll, state);
      if (state.closed) break;
      try {
        await d.logSink.flush();
        const p = await logsPage(d, live, f, { afterSeq: cursor, limit: 1000, tail: false });
        emit(p.lines);
        cursor = Math.max(cursor, p.nextSeq);
        more = p.more;
      } catch {
        break;
      }
    }
  } finally {
    if (heartbeat) clearInterval(heartbeat);
    res.end();
  }
}

export function registerLogRoutes(app: FastifyInstance, d: LogRouteDeps): void {
  app.get('/v1/functions/:name/logs', async (req, reply) => {
    const p: Principal = authorize(req, 'logs:FilterLogEvents', (a) => a.logGroup(params(req).name!));
    const name = params(req).name!;
    const q = req.query as Query;
    const filter = parseLogFilter({ level: one(q, 'level'), q: q.q, filter: q.filter });
    const since = intQuery(one(q, 'since'), 'since');
    const until = intQuery(one(q, 'until'), 'until');
    if (since !== undefined && until !== undefined && until <= since)
      throw LogErrors.BAD_QUERY({ reason: 'until must be after since' });
    const base: LogScanQuery = {
      tenant: p.tenant,
      functionName: name,
      version: one(q, 'version'),
      requestId: one(q, 'requestId'),
      since,
      until,
    };
    const limit = intQuery(one(q, 'limit'), 'limit');
    const followMode = one(q, 'follow');
    const sse =
      followMode === 'sse' ||
      ((followMode === '1' || followMode === 'true') && /text\/event-stream/.test(req.headers.accept ?? ''));
    const lastEventId = sse ? req.headers['last-event-id'] : undefined;
    const resume =
      typeof lastEventId === 'string' && lastEventId !== ''
        ? intQuery(lastEventId, 'Last-Event-ID')
        : undefined;
    const afterSeq = resume ?? intQuery(one(q, 'afterSeq'), 'afterSeq');
    const tail = resume === undefined && (one(q, 'tail') === '1' || one(q, 'tail') === 'true');
    await d.logSink.flush();
    const first = await logsPage(d, base, filter, { afterSeq, limit, tail });
    if (!sse && followMode !== '1' && followMode !== 'true') {
      return { lines: first.lines.map(logLineView), nextSeq: first.nextSeq, more: first.more };
    }
    await follow(d, req, reply, base, filter, first, sse);
  });

  app.get('/v1/settings/logs', async (req) => {
    const p = authorize(req, 'nimbus:GetLogSettings', (a) => a.nimbus('settings', 'logs'));
    return { logs: d.logSettings.get(p.tenant) };
  });

  app.put('/v1/settings/logs', async (req) => {
    const p = authorize(req, 'nimbus:PutLogSettings', (a) => a.nimbus('settings', 'logs'));
    const s = parseLogSettings(parseJsonDocument(req.body), d.logSettings.get(p.tenant));
    await d.logSettings.put(p.tenant, s);
    return { logs: s };
  });
}
