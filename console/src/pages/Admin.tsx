/**
 * Keys and tenants: the tenant's API keys (create — the secret is shown once —, revoke) and, for
 * operators (principals of the default tenant), the tenants (list, create). The navigation shows
 * this page only to principals that may list keys (admin/nav.ts).
 */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { KEYS_QUERY, useKeysQuery } from '../admin/nav.ts';
import type { CreateKeyRequest, CreateTenantRequest, KeyView, TenantView } from '../admin/types.ts';
import { ConfirmButton, FieldError, invalid, TableRegion } from '../admin/ui.tsx';
import { ApiError } from '../api.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';

const MANAGED = ['Developer', 'ReadOnly', 'Invoker', 'AdministratorAccess'] as const;
const policyName = (p: KeyView['policies'][number]) => (typeof p === 'string' ? p : 'inline policy');

export default function Admin() {
  return (
    <>
      <PageHeader title="Keys and tenants" />
      <Keys />
      <Tenants />
    </>
  );
}

function Keys() {
  const keys = useKeysQuery();
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      {keys.isPending ? (
        <Loading what="keys" />
      ) : keys.isError ? (
        <ErrorBox error={keys.error} title="Could not list keys" />
      ) : keys.data.keys.length === 0 ? (
        <Empty>
          <p>No keys in this tenant.</p>
        </Empty>
      ) : (
        <TableRegion label="API keys">
          <table className="table" aria-label="API keys">
            <thead>
              <tr>
                <th scope="col">Key</th>
                <th scope="col">Description</th>
                <th scope="col">Policies</th>
                <th scope="col">Status</th>
                <th scope="col">Created</th>
                <th scope="col">Expires</th>
                <th scope="col">
                  <span className="sr-only">Revoke</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {keys.data.keys.map((k) => (
                <KeyRow key={k.keyId} k={k} />
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <KeyForm />
    </section>
  );
}

function KeyRow({ k }: { k: KeyView }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const revoke = useMutation({
    mutationFn: () => api('POST', `/v1/keys/${encodeURIComponent(k.keyId)}/revoke`),
    onSuccess: () => queries.invalidateQueries({ queryKey: KEYS_QUERY }),
  });
  return (
    <tr data-testid={`key-${k.keyId}`}>
      <td>
        <code>{k.keyId}</code>
      </td>
      <td>{k.description || <span className="muted">—</span>}</td>
      <td>{k.policies.map(policyName).join(', ')}</td>
      <td>
        <span className={`badge ${k.status === 'active' ? 'ok' : 'bad'}`} data-testid="key-status">
          {k.status}
        </span>
      </td>
      <td>{k.createdAt ? formatTime(k.createdAt) : '—'}</td>
      <td>{k.expiresAt ? formatTime(k.expiresAt) : 'never'}</td>
      <td>
        {k.status === 'active' ? (
          <ConfirmButton
            label="Revoke"
            question={`Revoke ${k.keyId}? Whoever uses it is signed out for good.`}
            yes="Yes, revoke"
            onConfirm={() => revoke.mutate()}
            pending={revoke.isPending}
            error={revoke.error ?? undefined}
          />
        ) : null}
      </td>
    </tr>
  );
}

function KeyForm() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [description, setDescription] = useState('');
  const [policy, setPolicy] = useState<string>('Developer');
  const [expiresIn, setExpiresIn] = useState('');
  const [error, setError] = useState<string>();
  const [created, setCreated] = useState<{ keyId: string; secret: string }>();
  const [copied, setCopied] = useState(false);
  const create = useMutation({
    mutationFn: () => {
      const body: CreateKeyRequest = {
        policies: [policy],
        ...(description ? { description } : {}),
        ...(expiresIn ? { expiresIn } : {}),
      };
      return api<{ key: KeyView; secret: string }>('POST', '/v1/keys', body);
    },
    onSuccess: async (r) => {
      setCreated({ keyId: r.key.keyId, secret: r.secret });
      setCopied(false);
      setDescription('');
      await queries.invalidateQueries({ queryKey: KEYS_QUERY });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const bad = expiresIn !== '' && !/^\d+[smhd]$/.test(expiresIn);
    setError(bad ? 'An expiry is a duration like 90d, 12h or 30m (empty: never).' : undefined);
    if (!bad) create.mutate();
  }
  return (
    <>
      {created ? (
        <div className="secret-once" role="status" data-testid="new-secret">
          <p>
            <strong>Key {created.keyId} created.</strong> Copy its secret now: it is shown only this once.
          </p>
          <p>
            <code data-testid="secret-value">{created.secret}</code>
          </p>
          <div className="row wrap">
            <button
              type="button"
              onClick={() =>
                navigator.clipboard?.writeText(created.secret).then(
                  () => setCopied(true),
                  () => setCopied(false),
                )
              }
            >
              {copied ? 'Copied' : 'Copy secret'}
            </button>
            <button type="button" onClick={() => setCreated(undefined)}>
              I have saved it
            </button>
          </div>
        </div>
      ) : null}
      <form className="form" onSubmit={submit} noValidate aria-labelledby="key-form-title">
        <h3 id="key-form-title">New key</h3>
        <div className="field-grid">
          <div className="field">
            <label htmlFor="key-description">Key description</label>
            <input
              id="key-description"
              value={description}
              onChange={(e) => setDescription(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="key-policy">Policy</label>
            <select id="key-policy" value={policy} onChange={(e) => setPolicy(e.target.value)}>
              {MANAGED.map((p) => (
                <option key={p} value={p}>
                  {p}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="key-expires">Expires in</label>
            <input
              id="key-expires"
              placeholder="never (or 90d, 12h)"
              value={expiresIn}
              onChange={(e) => setExpiresIn(e.target.value)}
              {...invalid('key-expires', error)}
            />
            <FieldError id="key-expires-error" error={error} />
          </div>
        </div>
        {create.isError ? <ErrorBox error={create.error} title="Creating the key failed" /> : null}
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create key'}
        </button>
      </form>
    </>
  );
}

function Tenants() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['tenants'],
    queryFn: () => api<{ tenants: TenantView[] }>('GET', '/v1/tenants'),
  });
  // Tenants are the operators': other principals do not see the section at all.
  if (list.isError && list.error instanceof ApiError && list.error.status === 403) return null;
  return (
    <section className="card" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants</h2>
      {list.isPending ? (
        <Loading what="tenants" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list tenants" />
      ) : list.data.tenants.length === 0 ? (
        <Empty>
          <p>No tenants.</p>
        </Empty>
      ) : (
        <TableRegion label="Tenants">
          <table className="table" aria-label="Tenants">
            <thead>
              <tr>
                <th scope="col">Tenant</th>
                <th scope="col">Account</th>
                <th scope="col">Description</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.tenants.map((t) => (
                <tr key={t.id}>
                  <td>{t.id}</td>
                  <td>
                    <code>{t.accountId}</code>
                  </td>
                  <td>{t.description || <span className="muted">—</span>}</td>
                  <td>{t.createdAt ? formatTime(t.createdAt) : '—'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableRegion>
      )}
      <TenantForm />
    </section>
  );
}

function TenantForm() {
  const { api } = useSession();
  const queries = useQueryClient();
  const [id, setId] = useState('');
  const [description, setDescription] = useState('');
  const [error, setError] = useState<string>();
  const create = useMutation({
    mutationFn: () => {
      const body: CreateTenantRequest = { id, ...(description ? { description } : {}) };
      return api<{ tenant: TenantView }>('POST', '/v1/tenants', body);
    },
    onSuccess: async () => {
      setId('');
      setDescription('');
      await queries.invalidateQueries({ queryKey: ['tenants'] });
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const bad = !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(id);
    setError(
      bad ? 'A tenant id is 2–32 lower-case letters, digits and hyphens, starting with a letter.' : undefined,
    );
    if (!bad) create.mutate();
  }
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="tenant-form-title">
      <h3 id="tenant-form-title">New tenant</h3>
      <div className="field-grid">
        <div className="field">
          <label htmlFor="tenant-id">Tenant id</label>
          <input
            id="tenant-id"
            value={id}
            onChange={(e) => setId(e.target.value)}
            {...invalid('tenant-id', error)}
          />
          <FieldError id="tenant-id-error" error={error} />
        </div>
        <div className="field">
          <label htmlFor="tenant-description">Tenant description</label>
          <input
            id="tenant-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
      </div>
      {create.isError ? <ErrorBox error={create.error} title="Creating the tenant failed" /> : null}
      <button type="submit" className="primary" disabled={create.isPending}>
        {create.isPending ? 'Creating…' : 'Create tenant'}
      </button>
    </form>
  );
}
