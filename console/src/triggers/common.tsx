/** Pieces the Triggers and Queues pages share: tabs, a confirming delete, a function picker. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type KeyboardEvent, type ReactNode, useId, useRef, useState } from 'react';
import type { FunctionView } from '../api.ts';
import { useSession } from '../session.tsx';
import { ErrorBox } from '../ui.tsx';
import './triggers.css';

export interface Tab {
  readonly id: string;
  readonly label: string;
}

/** WAI-ARIA tabs: one tab stop, arrow keys (and Home/End) move between tabs. */
export function Tabs({
  tabs,
  current,
  onChange,
  label,
  children,
}: {
  tabs: readonly Tab[];
  current: string;
  onChange: (id: string) => void;
  label: string;
  children: ReactNode;
}) {
  const base = useId();
  const refs = useRef<(HTMLButtonElement | null)[]>([]);
  const onKey = (e: KeyboardEvent, i: number) => {
    const n = tabs.length;
    const to =
      e.key === 'ArrowRight'
        ? (i + 1) % n
        : e.key === 'ArrowLeft'
          ? (i - 1 + n) % n
          : e.key === 'Home'
            ? 0
            : e.key === 'End'
              ? n - 1
              : -1;
    if (to < 0) return;
    e.preventDefault();
    onChange(tabs[to]!.id);
    refs.current[to]?.focus();
  };
  return (
    <>
      <div className="tabs" role="tablist" aria-label={label}>
        {tabs.map((t, i) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[i] = el;
            }}
            type="button"
            role="tab"
            id={`${base}-tab-${t.id}`}
            aria-selected={t.id === current}
            aria-controls={`${base}-panel`}
            tabIndex={t.id === current ? 0 : -1}
            onClick={() => onChange(t.id)}
            onKeyDown={(e) => onKey(e, i)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div
        className="tab-panel"
        role="tabpanel"
        id={`${base}-panel`}
        aria-labelledby={`${base}-tab-${current}`}
      >
        {children}
      </div>
    </>
  );
}

/**
 * A destructive action that asks first: the button turns into "question · Yes · Cancel".
 * `invalidate` lists the query keys to refresh once it is done.
 */
export function ConfirmButton({
  label,
  question,
  yes,
  run,
  invalidate,
  accessibleName,
  safe,
  onDone,
}: {
  label: string;
  question: string;
  yes: string;
  run: () => Promise<unknown>;
  invalidate: readonly (readonly unknown[])[];
  /** The button's name for assistive tech when the visible label is short ("Delete"). */
  accessibleName?: string;
  /** Not destructive (a replay): the buttons are not red. */
  safe?: boolean;
  onDone?: (result: unknown) => void;
}) {
  const tone = safe ? '' : 'danger';
  const [asking, setAsking] = useState(false);
  const queries = useQueryClient();
  const m = useMutation({
    mutationFn: run,
    onSuccess: async (r) => {
      setAsking(false);
      onDone?.(r);
      await Promise.all(invalidate.map((k) => queries.invalidateQueries({ queryKey: k })));
    },
  });
  if (!asking)
    return (
      <button type="button" className={tone} aria-label={accessibleName} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <div className="confirm">
      <span>{question}</span>
      <button
        type="button"
        className={safe ? 'primary' : 'danger'}
        onClick={() => m.mutate()}
        disabled={m.isPending}
      >
        {m.isPending ? 'Working…' : yes}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {m.isError ? <ErrorBox error={m.error} title={`${label} failed`} /> : null}
    </div>
  );
}

/** A select of the tenant's functions (falls back to a text field when they cannot be listed). */
export function FunctionSelect({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (v: string) => void;
}) {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['functions'],
    queryFn: () => api<{ functions: FunctionView[] }>('GET', '/v1/functions'),
  });
  const names = list.data?.functions.map((f) => f.name) ?? [];
  if (list.isError || (list.isSuccess && names.length === 0))
    return (
      <input id={id} value={value} onChange={(e) => onChange(e.target.value)} required placeholder="my-fn" />
    );
  return (
    <select id={id} value={value} onChange={(e) => onChange(e.target.value)} required>
      <option value="">{list.isPending ? 'Loading functions…' : 'Choose a function'}</option>
      {names.map((n) => (
        <option key={n} value={n}>
          {n}
        </option>
      ))}
    </select>
  );
}

/** Parses JSON typed by a user; the error names where it broke. */
export function parseJsonText(
  text: string,
  what: string,
): { ok: true; value: unknown } | { ok: false; error: string } {
  try {
    return { ok: true, value: JSON.parse(text) as unknown };
  } catch (e) {
    return { ok: false, error: `${what} is not JSON: ${(e as Error).message}` };
  }
}

export function ago(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 90) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  if (s < 5400) return `${Math.round(s / 60)} min`;
  if (s < 172_800) return `${(s / 3600).toFixed(1)} h`;
  return `${Math.round(s / 86_400)} d`;
}
