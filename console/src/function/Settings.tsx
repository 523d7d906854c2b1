/**
 * The function page's settings tabs: Configuration, and Versions & aliases. Reads the function
 * with its versions and aliases (GET /v1/functions/:name answers all three).
 */
import { useQuery } from '@tanstack/react-query';
import { type KeyboardEvent, useRef, useState } from 'react';
import type { FunctionDetail } from '../admin/types.ts';
import { useSession } from '../session.tsx';
import { ErrorBox, Loading } from '../ui.tsx';
import { Configuration } from './Configuration.tsx';
import { Versions } from './Versions.tsx';
import '../admin/admin.css';

const TABS = [
  { id: 'config', label: 'Configuration' },
  { id: 'versions', label: 'Versions & aliases' },
] as const;
type Tab = (typeof TABS)[number]['id'];

export function FunctionSettings({ name }: { name: string }) {
  const { api } = useSession();
  const [tab, setTab] = useState<Tab>('config');
  const refs = useRef<Partial<Record<Tab, HTMLButtonElement | null>>>({});
  const detail = useQuery({
    queryKey: ['function-detail', name],
    queryFn: () => api<FunctionDetail>('GET', `/v1/functions/${encodeURIComponent(name)}`),
  });
  // Arrow keys move between tabs (the WAI-ARIA tabs pattern); Tab goes into the panel.
  function onKey(e: KeyboardEvent) {
    const i = TABS.findIndex((t) => t.id === tab);
    const next =
      e.key === 'ArrowRight'
        ? TABS[(i + 1) % TABS.length]
        : e.key === 'ArrowLeft'
          ? TABS[(i + TABS.length - 1) % TABS.length]
          : e.key === 'Home'
            ? TABS[0]
            : e.key === 'End'
              ? TABS[TABS.length - 1]
              : undefined;
    if (!next) return;
    e.preventDefault();
    setTab(next.id);
    refs.current[next.id]?.focus();
  }
  return (
    <section aria-label="Settings">
      <div className="tabs" role="tablist" aria-label="Function settings" onKeyDown={onKey}>
        {TABS.map((t) => (
          <button
            key={t.id}
            ref={(el) => {
              refs.current[t.id] = el;
            }}
            type="button"
            role="tab"
            id={`tab-${t.id}`}
            aria-selected={tab === t.id}
            aria-controls={`panel-${t.id}`}
            tabIndex={tab === t.id ? 0 : -1}
            onClick={() => setTab(t.id)}
          >
            {t.label}
          </button>
        ))}
      </div>
      <div role="tabpanel" id={`panel-${tab}`} aria-labelledby={`tab-${tab}`}>
        {detail.isPending ? (
          <Loading what="the configuration" />
        ) : detail.isError ? (
          <ErrorBox error={detail.error} title="Could not load the configuration" />
        ) : tab === 'config' ? (
          <Configuration f={detail.data.function} />
        ) : (
          <Versions name={name} versions={detail.data.versions} aliases={detail.data.aliases} />
        )}
      </div>
    </section>
  );
}
