/**
 * The audit log: mutations, failed sign-ins and denials, oldest first, filtered by principal,
 * action and result, a page at a time (the API's `next` cursor; earlier pages are kept to go back).
 */
import { useQuery } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { AuditRecordView } from '../admin/types.ts';
import { TableRegion } from '../admin/ui.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

const PAGE = 50;
const RESULTS = ['ok', 'denied', 'unauthenticated', 'error'] as const;

interface Filters {
  principal: string;
  action: string;
  result: string;
}

export default function Audit() {
  const { api } = useSession();
  const [draft, setDraft] = useState<Filters>({ principal: '', action: '', result: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  /** The `after` cursor of each page shown so far (the first page has none). */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const after = cursors.at(-1);
  const q = useQuery({
    queryKey: ['audit', filters, after],
    queryFn: () => {
      const qs = new URLSearchParams({ limit: String(PAGE) });
      if (filters.principal) qs.set('principal', filters.principal);
      if (filters.action) qs.set('action', filters.action);
      if (filters.result) qs.set('result', filters.result);
      if (after !== undefined) qs.set('after', String(after));
      return api<{ records: AuditRecordView[]; next?: number }>('GET', `/v1/audit?${qs}`);
    },
  });
  function search(e: FormEvent) {
    e.preventDefault();
    setFilters({ principal: draft.principal.trim(), action: draft.action.trim(), result: draft.result });
    setCursors([undefined]);
  }
  const set = (patch: Partial<Filters>) => setDraft((d) => ({ ...d, ...patch }));
  return (
    <>
      <PageHeader title="Audit log" />
      <form className="filters card" onSubmit={search} aria-label="Audit filters">
        <div>
          <label htmlFor="audit-principal">Principal</label>
          <input
            id="audit-principal"
            placeholder="key/…"
            value={draft.principal}
            onChange={(e) => set({ principal: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor="audit-action">Action</label>
          <input
            id="audit-action"
            placeholder="nimbus:PutBudget"
            value={draft.action}
            onChange={(e) => set({ action: e.target.value })}
          />
        </div>
        <div>
          <label htmlFor="audit-result">Result</label>
          <select id="audit-result" value={draft.result} onChange={(e) => set({ result: e.target.value })}>
            <option value="">any</option>
            {RESULTS.map((r) => (
              <option key={r} value={r}>
                {r}
              </option>
            ))}
          </select>
        </div>
        <div className="filter-actions">
          <button type="submit" className="primary">
            Filter
          </button>
        </div>
      </form>
      {q.isPending ? (
        <Loading what="audit records" />
      ) : q.isError ? (
        <ErrorBox error={q.error} title="Could not read the audit log" />
      ) : q.data.records.length === 0 ? (
        <Empty>
          <p>No audit records match{cursors.length > 1 ? ' on this page' : ''}.</p>
        </Empty>
      ) : (
        <TableRegion label="Audit records">
          <table className="table" aria-label="Audit records">
            <thead>
              <tr>
                <th scope="col">Time</th>
                <th scope="col">Principal</th>
                <th scope="col">Action</th>
                <th scope="col">Resource</th>
                <th scope="col">Result</th>
                <th scope="col">Source</th>
              </tr>
            </thead>
            <tbody>
              {q.data.records.map((r) => (
                <tr key={r.seq} data-testid="audit-record">
                  <td title={r.time}>{formatTime(r.time)}</td>
                  <td>
                    <code>{r.principal}</code>
                  </td>
                  <td>{r.action}</td>
                  <td className="wrap-any">{r.resource}</td>
                  <td>
                    <span className={`badge ${r.result === 'ok' ? 'ok' : 'bad'}`}>
                      {r.result} {r.status}
                    </span>
                    {r.detail ? <span className="muted small"> {r.detail}</span> : null}
                  </td>
                  <td>{r.sourceIp}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <nav className="row" aria-label="Audit pages">
        <button
          type="button"
          disabled={cursors.length <= 1}
          onClick={() => setCursors((c) => c.slice(0, -1))}
        >
          Previous page
        </button>
        <span className="muted">Page {cursors.length}</span>
        <button
          type="button"
          disabled={q.data?.next === undefined}
          onClick={() => {
            const next = q.data?.next;
            if (next !== undefined) setCursors((c) => [...c, next]);
          }}
        >
          Next page
        </button>
      </nav>
    </>
  );
}
