/** Pieces the admin pages share: a confirming button, a scrollable table region, field errors. */
import { type ReactNode, useState } from 'react';
import { ApiError } from '../api.ts';
import { ErrorBox } from '../ui.tsx';
import './admin.css';

/** A destructive action: the first press asks, the second (or Cancel) answers. */
export function ConfirmButton({
  label,
  question,
  yes,
  onConfirm,
  pending,
  error,
  className = 'danger',
}: {
  label: string;
  question: string;
  yes: string;
  onConfirm: () => void;
  pending?: boolean;
  error?: unknown;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking && !error)
    return (
      <button type="button" className={className} onClick={() => setAsking(true)}>
        {label}
      </button>
    );
  return (
    <div className="confirm">
      <span>{question}</span>
      <button type="button" className="danger" onClick={onConfirm} disabled={pending}>
        {pending ? 'Working…' : yes}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
      {error ? <ErrorBox error={error} title={`${label} failed`} /> : null}
    </div>
  );
}

/** A table that may scroll sideways on a phone: focusable, so keyboard users can scroll it. */
export function TableRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap region" aria-label={label} tabIndex={0}>
      {children}
    </section>
  );
}

/** A field's inline error (linked to its input with aria-describedby). */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p className="field-error" id={id}>
      {error}
    </p>
  ) : null;
}

/** Props for an input with a possible inline error. */
export function invalid(id: string, error: string | undefined) {
  return error ? { 'aria-invalid': true as const, 'aria-describedby': `${id}-error` } : {};
}

/** The problems of a coded 400 as lines ("memory 1: must be …", "secrets.0: Invalid"). */
export function problemsOf(e: unknown): string[] {
  if (!(e instanceof ApiError) || e.status !== 400) return [];
  const text = e.message.replace(/^invalid (function configuration|request|budget|alert rule):\s*/, '');
  return text
    .split(/\n|; /)
    .map((l) => l.replace(/^\s*-\s*/, '').trim())
    .filter(Boolean);
}

export const usd = (n: number, currency = 'USD') =>
  `${n < 0.01 && n > 0 ? n.toPrecision(2) : n.toFixed(2)} ${currency}`;
