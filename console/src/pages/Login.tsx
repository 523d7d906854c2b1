import { useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { clientFor } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { ErrorBox } from '../components/states.tsx';
import { permissionsQuery } from '../permissions.ts';
import { useSessionState } from '../session.tsx';

/**
 * Sign in with an API key's secret; the key is checked against the API before it is kept, by
 * asking what it may do (the answer the navigation and the pages then read from the cache).
 */
export function Login() {
  const { login } = useSessionState();
  const queries = useQueryClient();
  const [secret, setSecret] = useState('');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>();

  async function submit(e: FormEvent) {
    e.preventDefault();
    const key = secret.trim();
    if (!key) return;
    setBusy(true);
    setError(undefined);
    try {
      await queries.fetchQuery(permissionsQuery(clientFor(key), key));
      login(key);
    } catch (err) {
      // A valid key that may not ask (no sts:GetCallerIdentity) may still use pages: all show.
      if (err instanceof ApiError && err.code === 'NIMBUS_ERR_CORE_FORBIDDEN') login(key);
      else setError(err);
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="login" id="main">
      <form className="card login-card" onSubmit={submit} aria-labelledby="login-title">
        <h1 id="login-title">
          <span aria-hidden="true">☁</span> Nimbus console
        </h1>
        <p className="muted">
          Sign in with an API key's secret (<code>nimbus keys create</code>, or the admin secret{' '}
          <code>nimbus start</code> printed). It stays in this tab only.
        </p>
        <label htmlFor="secret">API key secret</label>
        <input
          id="secret"
          name="secret"
          type="password"
          autoComplete="current-password"
          value={secret}
          onChange={(e) => setSecret(e.target.value)}
          required
        />
        {error ? <ErrorBox error={error} title="Sign-in failed" /> : null}
        <button type="submit" className="primary" disabled={busy || !secret.trim()}>
          {busy ? 'Checking…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
