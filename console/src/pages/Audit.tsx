/**
 * The audit log: mutations, failed sign-ins and denials, oldest first, filtered by principal,
 * action and result, a page at a time (the API's `next` cursor; earlier pages are kept to go back).
 */
import { type FormEvent, useState } from 'react';
import type { operations } from '../api/schema';
import { SelectField, TextField } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import '../admin/admin.css';

const PAGE = 50;
const RESULTS = [{ value: '', label: 'any' }, 'ok', 'denied', 'unauthenticated', 'error'] as const;
type AuditQuery = NonNullable<operations['getAudit']['parameters']['query']>;
type Result = NonNullable<AuditQuery['result']>;

interface Filters {
  principal: string;
  action: string;
  result: Result | '';
}

export default function Audit() {
  const [draft, setDraft] = useState<Filters>({ principal: '', action: '', result: '' });
  const [filters, setFilters] = useState<Filters>(draft);
  /** The `after` cursor of each page shown so far (the first page has none). */
  const [cursors, setCursors] = useState<(number | undefined)[]>([undefined]);
  const after = cursors.at(-1);
  const query: AuditQuery = {
    limit: PAGE,
    ...(filters.principal ? { principal: filters.principal } : {}),
    ...(filters.action ? { action: filters.action } : {}),
    ...(filters.result ? { result: filters.result } : {}),
    ...(after !== undefined ? { after } : {}),
  };
  const q = useGet(['audit', filters, after], (c) => c.GET('/v1/audit', { params: { query } }));
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
        <TextField
          id="audit-principal"
          label="Principal"
          placeholder="key/…"
          value={draft.principal}
          onChange={(principal) => set({ principal })}
        />
        <TextField
          id="audit-action"
          label="Action"
          placeholder="nimbus:PutBudget"
          value={draft.action}
          onChange={(action) => set({ action })}
        />
        <SelectField
          id="audit-result"
          label="Result"
          value={draft.result}
          onChange={(result) => set({ result })}
          options={RESULTS}
        />
        <div className="filter-actions">
          <button type="submit" className="primary">
            Filter
          </button>
        </div>
      </form>
      <QueryState
        query={q}
        what="audit records"
        failed="Could not read the audit log"
        items={(d) => d.records}
        empty={`No audit records match${cursors.length > 1 ? ' on this page' : ''}.`}
      >
        {(records) => (
          <Table
            label="Audit records"
            columns={['Time', 'Principal', 'Action', 'Resource', 'Result', 'Source']}
          >
            {records.map((r) => (
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
          </Table>
        )}
      </QueryState>
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
