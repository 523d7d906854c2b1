/**
 * Keys and tenants: the tenant's API keys (create — the secret is shown once —, revoke) and, for
 * operators (principals of the default tenant), the tenants (list, create). The navigation shows
 * this page only to principals that may list keys (nimbus:ListKeys, permissions.ts).
 */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { ConfirmButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, SelectField, TextField, useFieldErrors } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';
import '../admin/admin.css';

type KeyView = Schema<'KeyView'>;
const KEYS = ['keys'] as const;
const TENANTS = ['tenants'] as const;
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
  const keys = useGet(KEYS, (c) => c.GET('/v1/keys'));
  return (
    <section className="card" aria-labelledby="keys-title">
      <h2 id="keys-title">API keys</h2>
      <QueryState query={keys} what="keys" items={(d) => d.keys} empty="No keys in this tenant.">
        {(list) => (
          <Table
            label="API keys"
            columns={[
              'Key',
              'Description',
              'Policies',
              'Status',
              'Created',
              'Expires',
              { label: 'Revoke', hidden: true },
            ]}
          >
            {list.map((k) => (
              <KeyRow key={k.keyId} k={k} />
            ))}
          </Table>
        )}
      </QueryState>
      <Can action="nimbus:CreateKey">
        <KeyForm />
      </Can>
    </section>
  );
}

function KeyRow({ k }: { k: KeyView }) {
  const { client } = useSession();
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
      <td>{formatTime(k.createdAt)}</td>
      <td>{k.expiresAt ? formatTime(k.expiresAt) : 'never'}</td>
      <td>
        {k.status === 'active' ? (
          <Can action="nimbus:RevokeKey">
            <ConfirmButton
              label="Revoke"
              question={`Revoke ${k.keyId}? Whoever uses it is signed out for good.`}
              yes="Yes, revoke"
              run={() => ok(client.POST('/v1/keys/{id}/revoke', { params: { path: { id: k.keyId } } }))}
              invalidate={[KEYS]}
            />
          </Can>
        ) : null}
      </td>
    </tr>
  );
}

function KeyForm() {
  const { client } = useSession();
  const [description, setDescription] = useState('');
  const [policy, setPolicy] = useState<string>('Developer');
  const [expiresIn, setExpiresIn] = useState('');
  const { errors, check } = useFieldErrors<'expires'>();
  const [created, setCreated] = useState<{ keyId: string; secret: string }>();
  const [copied, setCopied] = useState(false);
  const create = useChange({
    run: () => {
      const body: Schema<'CreateKeyRequest'> = {
        policies: [policy],
        ...(description ? { description } : {}),
        ...(expiresIn ? { expiresIn } : {}),
      };
      return ok(client.POST('/v1/keys', { body }));
    },
    invalidate: [KEYS],
    onDone: (r) => {
      setCreated({ keyId: r.key.keyId, secret: r.secret });
      setCopied(false);
      setDescription('');
    },
  });
  function submit() {
    const bad = expiresIn !== '' && !/^\d+[smhd]$/.test(expiresIn);
    if (check({ expires: bad && 'An expiry is a duration like 90d, 12h or 30m (empty: never).' }))
      create.mutate();
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
      <ChangeForm
        title="New key"
        level={3}
        className="form"
        change={create}
        failed="Creating the key failed"
        submit="Create key"
        busy="Creating…"
        noValidate
        onSubmit={submit}
      >
        <div className="field-grid">
          <TextField
            id="key-description"
            label="Key description"
            value={description}
            onChange={setDescription}
          />
          <SelectField id="key-policy" label="Policy" value={policy} onChange={setPolicy} options={MANAGED} />
          <TextField
            id="key-expires"
            label="Expires in"
            placeholder="never (or 90d, 12h)"
            value={expiresIn}
            onChange={setExpiresIn}
            error={errors.expires}
          />
        </div>
      </ChangeForm>
    </>
  );
}

function Tenants() {
  const list = useGet(TENANTS, (c) => c.GET('/v1/tenants'));
  // Tenants are the operators': other principals do not see the section at all.
  if (list.isError && list.error instanceof ApiError && list.error.status === 403) return null;
  return (
    <section className="card" aria-labelledby="tenants-title">
      <h2 id="tenants-title">Tenants</h2>
      <QueryState query={list} what="tenants" items={(d) => d.tenants} empty="No tenants.">
        {(tenants) => (
          <Table label="Tenants" columns={['Tenant', 'Account', 'Description', 'Created']}>
            {tenants.map((t) => (
              <tr key={t.id}>
                <td>{t.id}</td>
                <td>
                  <code>{t.accountId}</code>
                </td>
                <td>{t.description || <span className="muted">—</span>}</td>
                <td>{formatTime(t.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
      <Can action="nimbus:CreateTenant">
        <TenantForm />
      </Can>
    </section>
  );
}

function TenantForm() {
  const { client } = useSession();
  const [id, setId] = useState('');
  const [description, setDescription] = useState('');
  const { errors, check } = useFieldErrors<'id'>();
  const create = useChange({
    run: () => {
      const body: Schema<'CreateTenantRequest'> = { id, ...(description ? { description } : {}) };
      return ok(client.POST('/v1/tenants', { body }));
    },
    invalidate: [TENANTS],
    onDone: () => {
      setId('');
      setDescription('');
    },
  });
  function submit() {
    const bad = !/^[a-z][a-z0-9-]{0,30}[a-z0-9]$/.test(id);
    const rule = 'A tenant id is 2–32 lower-case letters, digits and hyphens, starting with a letter.';
    if (check({ id: bad && rule })) create.mutate();
  }
  return (
    <ChangeForm
      title="New tenant"
      level={3}
      className="form"
      change={create}
      failed="Creating the tenant failed"
      submit="Create tenant"
      busy="Creating…"
      noValidate
      onSubmit={submit}
    >
      <div className="field-grid">
        <TextField id="tenant-id" label="Tenant id" value={id} onChange={setId} error={errors.id} />
        <TextField
          id="tenant-description"
          label="Tenant description"
          value={description}
          onChange={setDescription}
        />
      </div>
    </ChangeForm>
  );
}
