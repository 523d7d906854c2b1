import { useQueryClient } from '@tanstack/react-query';
import { Suspense } from 'react';
import { NavLink, Outlet } from 'react-router';
import { Loading } from './components/states.tsx';
import { type Action, useCan } from './permissions.ts';
import { useSession } from './session.tsx';
import { DarkContext, useTheme } from './theme.ts';

/** The pages, each shown to keys that may perform its list action (one of them, for Triggers). */
const PAGES: readonly { to: string; label: string; list: readonly Action[] }[] = [
  { to: '/dashboard', label: 'Dashboard', list: ['nimbus:GetMetrics'] },
  { to: '/functions', label: 'Functions', list: ['lambda:ListFunctions'] },
  { to: '/logs', label: 'Logs', list: ['logs:FilterLogEvents'] },
  { to: '/workflows', label: 'Workflows', list: ['states:ListStateMachines'] },
  { to: '/buckets', label: 'Buckets', list: ['s3:ListAllMyBuckets'] },
  {
    to: '/triggers',
    label: 'Triggers',
    list: ['nimbus:ListRoutes', 'nimbus:ListSchedules', 'nimbus:ListTopics', 'nimbus:ListSources'],
  },
  { to: '/queues', label: 'Queues', list: ['nimbus:ListQueues', 'sqs:ListQueues'] },
  { to: '/usage', label: 'Usage', list: ['nimbus:GetUsage'] },
  { to: '/alerts', label: 'Alerts', list: ['nimbus:ListAlerts'] },
  { to: '/audit', label: 'Audit', list: ['nimbus:QueryAudit'] },
  { to: '/admin', label: 'Admin', list: ['nimbus:ListKeys'] },
];

export function Layout() {
  const session = useSession();
  const theme = useTheme();
  const queries = useQueryClient();
  const can = useCan();
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
            {PAGES.filter((p) => p.list.some(can)).map((p) => (
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
