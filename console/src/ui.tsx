/** Shared page pieces: loading, empty and error states, headers. */
import type { ReactNode } from 'react';
import { ApiError } from './api.ts';

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{children}</div>;
}

/** An API error as the platform coded it: code, message and how to fix it. */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const e =
    error instanceof ApiError
      ? error
      : new ApiError({
          code: 'CONSOLE_ERROR',
          message: String((error as Error)?.message ?? error),
          status: 0,
        });
  return (
    <div className="error-box" role="alert">
      <strong>{title ?? 'Something went wrong'}</strong>
      <p>
        <code className="code">{e.code}</code> {e.message}
      </p>
      {e.hint ? <p className="hint">How to fix: {e.hint}</p> : null}
    </div>
  );
}

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="actions">{children}</div> : null}
    </header>
  );
}

export function formatTime(iso: string | number): string {
  const d = new Date(iso);
  return d.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

export function formatMs(ms: number): string {
  return ms < 10 ? `${ms.toFixed(2)} ms` : ms < 1000 ? `${ms.toFixed(0)} ms` : `${(ms / 1000).toFixed(2)} s`;
}
