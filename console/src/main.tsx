import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { lazy, StrictMode, Suspense } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { ApiError } from './api/errors.ts';
import { Loading } from './components/states.tsx';
import { Layout } from './Layout.tsx';
import { Functions } from './pages/Functions.tsx';
import { Login } from './pages/Login.tsx';
import { SessionProvider, useSessionState } from './session.tsx';
import './styles.css';

// The pages with heavy libraries (CodeMirror, uPlot) load on first visit: the login page and the
// function list stay small.
const Dashboard = lazy(() => import('./pages/Dashboard.tsx'));
const FunctionPage = lazy(() => import('./pages/FunctionPage.tsx'));
const NewFunction = lazy(() => import('./pages/NewFunction.tsx'));
const Logs = lazy(() => import('./pages/Logs.tsx'));
const Workflows = lazy(() => import('./pages/Workflows.tsx'));
const Workflow = lazy(() => import('./pages/Workflow.tsx'));
const Buckets = lazy(() => import('./pages/Buckets.tsx'));
const Triggers = lazy(() => import('./pages/Triggers.tsx'));
const Queues = lazy(() => import('./pages/Queues.tsx'));
const Usage = lazy(() => import('./pages/Usage.tsx'));
const Alerts = lazy(() => import('./pages/Alerts.tsx'));
const Audit = lazy(() => import('./pages/Audit.tsx'));
const Admin = lazy(() => import('./pages/Admin.tsx'));

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      // A coded 4xx will not change by asking again.
      retry: (n, e) => n < 2 && !(e instanceof ApiError && e.status >= 400 && e.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

function App() {
  const { session } = useSessionState();
  if (!session) return <Login />;
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<Navigate to="/functions" replace />} />
        <Route path="dashboard" element={<Dashboard />} />
        <Route path="functions" element={<Functions />} />
        <Route path="functions/new" element={<NewFunction />} />
        <Route path="functions/:name" element={<FunctionPage />} />
        <Route path="logs" element={<Logs />} />
        <Route path="workflows" element={<Workflows />} />
        <Route path="workflows/:name" element={<Workflow />} />
        <Route path="buckets" element={<Buckets />} />
        <Route path="buckets/:name" element={<Buckets />} />
        <Route path="triggers" element={<Triggers />} />
        <Route path="queues" element={<Queues />} />
        <Route path="usage" element={<Usage />} />
        <Route path="alerts" element={<Alerts />} />
        <Route path="audit" element={<Audit />} />
        <Route path="admin" element={<Admin />} />
        <Route path="*" element={<Navigate to="/functions" replace />} />
      </Route>
    </Routes>
  );
}

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <QueryClientProvider client={queries}>
      <SessionProvider>
        <BrowserRouter basename="/console">
          <Suspense fallback={<Loading what="the page" />}>
            <App />
          </Suspense>
        </BrowserRouter>
      </SessionProvider>
    </QueryClientProvider>
  </StrictMode>,
);
