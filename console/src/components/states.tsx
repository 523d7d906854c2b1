/**
 * A page's frame and its states: the header, loading, empty, the platform's coded error, and
 * `QueryState`, which picks among them for a query (every list page shows its data through it).
 */
import type { ReactNode } from 'react';

export function PageHeader({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <header className="page-header">
      <h1>{title}</h1>
      {children ? <div className="actions">{children}</div> : null}
    </header>
  );
}

/** A section's heading row within a page, its actions at the end. */
export function SectionHeader({
  title,
  id,
  children,
}: {
  title: ReactNode;
  id?: string;
  children?: ReactNode;
}) {
  return (
    <div className="section-head">
      <h2 id={id}>{title}</h2>
      {children ? <div className="actions">{children}</div> : null}
    </div>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="state loading" role="status">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

/** Nothing to show; a plain sentence becomes a paragraph. */
export function Empty({ children }: { children: ReactNode }) {
  return <div className="state empty">{typeof children === 'string' ? <p>{children}</p> : children}</div>;
}

interface Coded {
  code: string;
  message: string;
  hint?: string | undefined;
}

const isCoded = (e: unknown): e is Coded =>
  typeof e === 'object' && e !== null && typeof (e as Coded).code === 'string';

/**
 * An error as the platform coded it (an ApiError from the API, or a NimbusError thrown by the
 * platform code the console bundles): code, message and how to fix it.
 */
export function ErrorBox({ error, title }: { error: unknown; title?: string }) {
  const e: Coded = isCoded(error)
    ? error
    : { code: 'CONSOLE_ERROR', message: String((error as Error | undefined)?.message ?? error) };
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

/** What `QueryState` reads of a query (a useQuery or useInfiniteQuery result, or one made up). */
export interface QueryLike<D> {
  isPending: boolean;
  isError: boolean;
  error: unknown;
  data: D | undefined;
}

/**
 * A query's states in order: loading, its coded error, empty (no `items`), else `children`
 * with the items. `what` names the items ("Loading routes…", "Could not list routes").
 */
export function QueryState<D, T>({
  query,
  what,
  failed = `Could not list ${what}`,
  items,
  empty,
  children,
}: {
  query: QueryLike<D>;
  what: string;
  failed?: string;
  items: (data: D) => readonly T[];
  empty: ReactNode;
  children: (items: readonly T[], data: D) => ReactNode;
}) {
  if (query.isPending) return <Loading what={what} />;
  if (query.isError) return <ErrorBox error={query.error} title={failed} />;
  const data = query.data as D;
  const list = items(data);
  return list.length === 0 ? <Empty>{empty}</Empty> : children(list, data);
}
