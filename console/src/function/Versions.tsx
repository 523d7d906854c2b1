/**
 * A function's published versions (publish $LATEST as a new one) and its aliases: each alias
 * points at a version and may send a share of its calls to a second one (weighted routing, a
 * slider from 0 to 100 %). Rollback points an alias back at the version published before the one
 * it serves now, with every call going there (its weights dropped), after a confirmation.
 */
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import type { AliasRequest, AliasView, VersionView } from '../admin/types.ts';
import { ConfirmButton, FieldError, invalid, TableRegion } from '../admin/ui.tsx';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime } from '../ui.tsx';

const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;
const byNumber = (a: VersionView, b: VersionView) => Number(a.version) - Number(b.version);

/** The version published before `current` (undefined: none older). */
export function previousVersion(versions: readonly VersionView[], current: string): string | undefined {
  const older = versions.filter((v) => Number(v.version) < Number(current)).sort(byNumber);
  return older.at(-1)?.version;
}

function useRefresh(name: string) {
  const queries = useQueryClient();
  return () =>
    Promise.all([
      queries.invalidateQueries({ queryKey: ['function-detail', name] }),
      queries.invalidateQueries({ queryKey: ['function', name] }),
    ]);
}

export function Versions({
  name,
  versions,
  aliases,
}: {
  name: string;
  versions: VersionView[];
  aliases: AliasView[];
}) {
  const { api } = useSession();
  const refresh = useRefresh(name);
  const [description, setDescription] = useState('');
  const publish = useMutation({
    // `known`: the versions before publishing (an unchanged function answers the newest of them).
    mutationFn: async (known: string[]) => ({
      known,
      ...(await api<{ version: VersionView }>('POST', `/v1/functions/${encodeURIComponent(name)}/versions`, {
        ...(description ? { description } : {}),
      })),
    }),
    onSuccess: async () => {
      setDescription('');
      await refresh();
    },
  });
  const sorted = [...versions].sort(byNumber).reverse();
  const published = publish.data?.version.version;

  return (
    <>
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <form
          className="row wrap"
          onSubmit={(e) => {
            e.preventDefault();
            publish.mutate(versions.map((v) => v.version));
          }}
        >
          <label htmlFor="version-description">Description</label>
          <input
            id="version-description"
            placeholder="optional"
            value={description}
            maxLength={256}
            onChange={(e) => setDescription(e.target.value)}
          />
          <button type="submit" className="primary" disabled={publish.isPending}>
            {publish.isPending ? 'Publishing…' : 'Publish version'}
          </button>
          <output className="muted" aria-live="polite">
            {publish.isSuccess && published
              ? publish.data.known.includes(published)
                ? `Nothing changed since version ${published}: no new version.`
                : `Published version ${published}.`
              : ''}
          </output>
        </form>
        <p className="muted small">
          A version freezes $LATEST's code and configuration. Publishing unchanged code and configuration
          returns the newest version.
        </p>
        {publish.isError ? <ErrorBox error={publish.error} title="Publishing failed" /> : null}
        {sorted.length === 0 ? (
          <Empty>
            <p>No published versions: calls run $LATEST.</p>
          </Empty>
        ) : (
          <TableRegion label="Versions">
            <table className="table" aria-label="Versions">
              <thead>
                <tr>
                  <th scope="col">Version</th>
                  <th scope="col">Published</th>
                  <th scope="col" className="num">
                    Memory
                  </th>
                  <th scope="col">Code</th>
                  <th scope="col">Description</th>
                </tr>
              </thead>
              <tbody>
                {sorted.map((v) => (
                  <tr key={v.version}>
                    <td>{v.version}</td>
                    <td>{formatTime(v.createdAt)}</td>
                    <td className="num">{v.memoryMb} MB</td>
                    <td title={v.codeSha256}>
                      <code>{v.codeSha256.slice(0, 10)}</code>
                    </td>
                    <td>{v.description || <span className="muted">—</span>}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </TableRegion>
        )}
      </section>
      <Aliases name={name} versions={sorted} aliases={aliases} />
    </>
  );
}

function Aliases({
  name,
  versions,
  aliases,
}: {
  name: string;
  versions: VersionView[];
  aliases: AliasView[];
}) {
  const [editing, setEditing] = useState<AliasView | 'new' | undefined>();
  return (
    <section className="card" aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      {aliases.length === 0 ? (
        <Empty>
          <p>
            No aliases. An alias is a stable name (e.g. live) for a version, with optional weighted routing.
          </p>
        </Empty>
      ) : (
        <ul className="plain">
          {aliases.map((a) => (
            <AliasRow key={a.name} name={name} alias={a} versions={versions} onEdit={() => setEditing(a)} />
          ))}
        </ul>
      )}
      {editing ? (
        <AliasForm
          key={editing === 'new' ? 'new' : editing.name}
          name={name}
          versions={versions}
          alias={editing === 'new' ? undefined : editing}
          onDone={() => setEditing(undefined)}
        />
      ) : versions.length === 0 ? (
        <p className="muted">Publish a version to create an alias.</p>
      ) : (
        <button type="button" onClick={() => setEditing('new')}>
          Create alias
        </button>
      )}
    </section>
  );
}

function routingOf(a: AliasView): string {
  const extra = Object.entries(a.additionalWeights)[0];
  if (!extra) return `100 % to version ${a.functionVersion}`;
  const pct = Math.round(extra[1] * 100);
  return `${100 - pct} % to version ${a.functionVersion}, ${pct} % to version ${extra[0]}`;
}

function AliasRow({
  name,
  alias,
  versions,
  onEdit,
}: {
  name: string;
  alias: AliasView;
  versions: VersionView[];
  onEdit: () => void;
}) {
  const { api } = useSession();
  const refresh = useRefresh(name);
  const path = `/v1/functions/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias.name)}`;
  const previous = previousVersion(versions, alias.functionVersion);
  const rollback = useMutation({
    mutationFn: (to: string) => {
      const body: AliasRequest = {
        functionVersion: to,
        additionalWeights: {},
        description: alias.description,
      };
      return api<{ alias: AliasView }>('PUT', path, body);
    },
    onSuccess: refresh,
  });
  const del = useMutation({ mutationFn: () => api('DELETE', path), onSuccess: refresh });
  return (
    <li className="kv-row alias" data-testid={`alias-${alias.name}`}>
      <strong>{alias.name}</strong>
      <span data-testid="alias-routing">{routingOf(alias)}</span>
      {alias.description ? <span className="muted">· {alias.description}</span> : null}
      <button type="button" onClick={onEdit}>
        Edit<span className="sr-only"> alias {alias.name}</span>
      </button>
      {previous ? (
        <ConfirmButton
          label="Roll back"
          question={`Point ${alias.name} back at version ${previous} (all calls; weights removed)?`}
          yes={`Yes, roll back to ${previous}`}
          onConfirm={() => rollback.mutate(previous)}
          pending={rollback.isPending}
          error={rollback.error ?? undefined}
          className=""
        />
      ) : (
        <span className="muted small">no older version to roll back to</span>
      )}
      <ConfirmButton
        label="Delete"
        question={`Delete alias ${alias.name}? Callers using it will get an error.`}
        yes="Yes, delete"
        onConfirm={() => del.mutate()}
        pending={del.isPending}
        error={del.error ?? undefined}
      />
    </li>
  );
}

function AliasForm({
  name,
  versions,
  alias,
  onDone,
}: {
  name: string;
  versions: VersionView[];
  alias: AliasView | undefined;
  onDone: () => void;
}) {
  const { api } = useSession();
  const refresh = useRefresh(name);
  const extra = alias ? Object.entries(alias.additionalWeights)[0] : undefined;
  const [aliasName, setAliasName] = useState(alias?.name ?? 'live');
  const [primary, setPrimary] = useState(alias?.functionVersion ?? versions[0]?.version ?? '');
  const [second, setSecond] = useState(extra?.[0] ?? '');
  const [weight, setWeight] = useState(Math.round((extra?.[1] ?? 0) * 100));
  const [description, setDescription] = useState(alias?.description ?? '');
  const [errors, setErrors] = useState<{ name?: string; second?: string }>({});
  const save = useMutation({
    mutationFn: () => {
      const body: AliasRequest = {
        functionVersion: primary,
        additionalWeights: second ? { [second]: weight / 100 } : {},
        ...(description ? { description } : {}),
      };
      return api<{ alias: AliasView }>(
        'PUT',
        `/v1/functions/${encodeURIComponent(name)}/aliases/${encodeURIComponent(aliasName)}`,
        body,
      );
    },
    onSuccess: async () => {
      await refresh();
      onDone();
    },
  });
  function submit(e: FormEvent) {
    e.preventDefault();
    const next: typeof errors = {};
    if (!ALIAS_NAME.test(aliasName))
      next.name = 'An alias name is letters, digits, - and _ (not only digits), at most 128.';
    if (second && second === primary) next.second = 'The second version must differ from the first.';
    setErrors(next);
    if (Object.keys(next).length === 0) save.mutate();
  }
  return (
    <form className="form" onSubmit={submit} noValidate aria-labelledby="alias-form-title">
      <h3 id="alias-form-title">{alias ? `Edit alias ${alias.name}` : 'New alias'}</h3>
      <label htmlFor="alias-name">Alias name</label>
      <input
        id="alias-name"
        value={aliasName}
        readOnly={alias !== undefined}
        onChange={(e) => setAliasName(e.target.value)}
        {...invalid('alias-name', errors.name)}
      />
      <FieldError id="alias-name-error" error={errors.name} />
      <label htmlFor="alias-primary">Version</label>
      <select id="alias-primary" value={primary} onChange={(e) => setPrimary(e.target.value)}>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
            {v.description ? ` — ${v.description}` : ''}
          </option>
        ))}
      </select>
      <label htmlFor="alias-second">Second version (weighted routing)</label>
      <select
        id="alias-second"
        value={second}
        onChange={(e) => setSecond(e.target.value)}
        {...invalid('alias-second', errors.second)}
      >
        <option value="">(none: every call to the version above)</option>
        {versions.map((v) => (
          <option key={v.version} value={v.version}>
            {v.version}
          </option>
        ))}
      </select>
      <FieldError id="alias-second-error" error={errors.second} />
      {second ? (
        <div className="row wrap weight">
          <label htmlFor="alias-weight">Share of calls to version {second}</label>
          <input
            id="alias-weight"
            type="range"
            min={0}
            max={100}
            step={5}
            value={weight}
            aria-valuetext={`${weight} %`}
            onChange={(e) => setWeight(Number(e.target.value))}
          />
          <output htmlFor="alias-weight">
            {weight} % to {second}, {100 - weight} % to {primary}
          </output>
        </div>
      ) : null}
      <label htmlFor="alias-description">Description</label>
      <input id="alias-description" value={description} onChange={(e) => setDescription(e.target.value)} />
      {save.isError ? <ErrorBox error={save.error} title="Saving the alias failed" /> : null}
      <div className="row wrap">
        <button type="submit" className="primary" disabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Save alias'}
        </button>
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      </div>
    </form>
  );
}
