import { useQueryClient } from '@tanstack/react-query';
import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { useHiddenPages } from './admin/nav.ts';
import { Loading } from './components/states.tsx';
import { useSession } from './session.tsx';
import { DarkContext, useTheme } from './theme.ts';

const PAGES = [
  { to: '/dashboard', label: 'Dashboard' },
  { to: '/functions', label: 'Functions' },
  { to: '/logs', label: 'Logs' },
  { to: '/workflows', label: 'Workflows' },
  { to: '/buckets', label: 'Buckets' },
  { to: '/triggers', label: 'Triggers' },
  { to: '/queues', label: 'Queues' },
  { to: '/usage', label: 'Usage' },
  { to: '/alerts', label: 'Alerts' },
  { to: '/audit', label: 'Audit' },
  { to: '/admin', label: 'Admin' },
] as const;

export function Layout() {
  const session = useSession();
  const theme = useTheme();
  const queries = useQueryClient();
  const hidden = useHiddenPages();
  return (
    <div className="shell">
      <a className="skip" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <span className="brand">
          <span aria-hidden="true">☁</span> Nimbus
        </span>
        <nav aria-label="Main">
          <ul>
            {PAGES.filter((p) => !hidden.has(p.to)).map((p) => (
              <li key={p.to}>
                <NavLink to={p.to}>{p.label}</NavLink>
              </li>
            ))}
          </ul>
        </nav>
        <div className="topbar-actions">
          <button
            type="button"
            className="ghost"
            onClick={theme.cycle}
            title="Theme: the system's, light or dark (click to change)"
          >
            <span aria-hidden="true">
              {theme.choice === 'system' ? '◐' : theme.choice === 'light' ? '☀' : '☾'}
            </span>
            {theme.choice === 'system'
              ? 'Auto theme'
              : theme.choice === 'light'
                ? 'Light theme'
                : 'Dark theme'}
          </button>
          <button
            type="button"
            className="ghost"
            onClick={() => {
              queries.clear();
              session.logout();
            }}
          >
            Sign out
          </button>
        </div>
      </header>
      <main id="main" tabIndex={-1}>
        <DarkContext.Provider value={theme.dark}>
          <Suspense fallback={<Loading what="the page" />}>
            <Outlet />
          </Suspense>
        </DarkContext.Provider>
      </main>
    </div>
  );
}
