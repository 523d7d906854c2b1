/**
 * A function's published versions (publish $LATEST as a new one) and its aliases: each alias
 * points at a version and may send a share of its calls to a second one (weighted routing, a
 * slider from 0 to 100 %). Rollback points an alias back at the version published before the one
 * it serves now, with every call going there (its weights dropped), after a confirmation.
 */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ConfirmButton, DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, SelectField, SubmitButton, TextField, useFieldErrors } from '../components/form.tsx';
import { functionKey } from '../components/query.ts';
import { Empty, ErrorBox } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatTime } from '../components/text.ts';
import { Can, useCan } from '../permissions.ts';
import { useSession } from '../session.tsx';

type VersionView = Schema<'VersionView'>;
type AliasView = Schema<'AliasView'>;

const ALIAS_NAME = /^(?!^[0-9]+$)[A-Za-z0-9_-]{1,128}$/;
const byNumber = (a: VersionView, b: VersionView) => Number(a.version) - Number(b.version);

/** The version published before `current` (undefined: none older). */
export function previousVersion(versions: readonly VersionView[], current: string): string | undefined {
  const older = versions.filter((v) => Number(v.version) < Number(current)).sort(byNumber);
  return older.at(-1)?.version;
}

/** What a version or alias change makes stale. */
const touched = (name: string) => [functionKey(name)];

/** A function's versions and aliases (as GET /v1/functions/:name answers them). */
interface Published {
  name: string;
  versions: VersionView[];
  aliases: AliasView[];
}

export function Versions({ name, versions, aliases }: Published) {
  const sorted = [...versions].sort(byNumber).reverse();
  return (
    <>
      <section className="card" aria-labelledby="versions-title">
        <h2 id="versions-title">Versions</h2>
        <Can action="lambda:PublishVersion">
          <PublishForm name={name} versions={versions} />
        </Can>
        <p className="muted small">
          A version freezes $LATEST's code and configuration. Publishing unchanged code and configuration
          returns the newest version.
        </p>
        {sorted.length === 0 ? (
          <Empty>No published versions: calls run $LATEST.</Empty>
        ) : (
          <Table
            label="Versions"
            columns={['Version', 'Published', { label: 'Memory', num: true }, 'Code', 'Description']}
          >
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
          </Table>
        )}
      </section>
      <Aliases name={name} versions={sorted} aliases={aliases} />
    </>
  );
}

/** Publishes $LATEST as a new version. */
function PublishForm({ name, versions }: { name: string; versions: readonly VersionView[] }) {
  const { client } = useSession();
  const [description, setDescription] = useState('');
  const publish = useChange({
    // `known`: the versions before publishing (an unchanged function answers the newest of them).
    run: async (known: string[]) => ({
      known,
      ...(await ok(
        client.POST('/v1/functions/{name}/versions', {
          params: { path: { name } },
          body: description ? { description } : {},
        }),
      )),
    }),
    invalidate: touched(name),
    onDone: () => setDescription(''),
  });
  const published = publish.data?.version.version;
  return (
    <>
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
        <SubmitButton pending={publish.isPending} busy="Publishing…">
          Publish version
        </SubmitButton>
        <output className="muted" aria-live="polite">
          {publish.isSuccess && published
            ? publish.data.known.includes(published)
              ? `Nothing changed since version ${published}: no new version.`
              : `Published version ${published}.`
            : ''}
        </output>
      </form>
      {publish.isError ? <ErrorBox error={publish.error} title="Publishing failed" /> : null}
    </>
  );
}

function Aliases({ name, versions, aliases }: Published) {
  const can = useCan();
  const [editing, setEditing] = useState<AliasView | 'new' | undefined>();
  return (
    <section className="card" aria-labelledby="aliases-title">
      <h2 id="aliases-title">Aliases</h2>
      {aliases.length === 0 ? (
        <Empty>
          No aliases. An alias is a stable name (e.g. live) for a version, with optional weighted routing.
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
      ) : !can('lambda:CreateAlias') ? null : versions.length === 0 ? (
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
  const { client } = useSession();
  const can = useCan();
  const params = { path: { name, alias: alias.name } };
  const previous = previousVersion(versions, alias.functionVersion);
  return (
    <li className="kv-row alias" data-testid={`alias-${alias.name}`}>
      <strong>{alias.name}</strong>
      <span data-testid="alias-routing">{routingOf(alias)}</span>
      {alias.description ? <span className="muted">· {alias.description}</span> : null}
      <Can action="lambda:CreateAlias">
        <button type="button" onClick={onEdit}>
          Edit<span className="sr-only"> alias {alias.name}</span>
        </button>
      </Can>
      {!can('lambda:CreateAlias') ? null : previous ? (
        <ConfirmButton
          label="Roll back"
          question={`Point ${alias.name} back at version ${previous} (all calls; weights removed)?`}
          yes={`Yes, roll back to ${previous}`}
          safe
          run={() => {
            const body: Schema<'AliasRequest'> = {
              functionVersion: previous,
              additionalWeights: {},
              description: alias.description,
            };
            return ok(client.PUT('/v1/functions/{name}/aliases/{alias}', { params, body }));
          }}
          invalidate={touched(name)}
        />
      ) : (
        <span className="muted small">no older version to roll back to</span>
      )}
      <Can action="lambda:DeleteAlias">
        <DeleteButton
          question={`Delete alias ${alias.name}? Callers using it will get an error.`}
          call={(c) => c.DELETE('/v1/functions/{name}/aliases/{alias}', { params })}
          invalidate={touched(name)}
        />
      </Can>
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
  const { client } = useSession();
  const extra = alias ? Object.entries(alias.additionalWeights)[0] : undefined;
  const [aliasName, setAliasName] = useState(alias?.name ?? 'live');
  const [primary, setPrimary] = useState(alias?.functionVersion ?? versions[0]?.version ?? '');
  const [second, setSecond] = useState(extra?.[0] ?? '');
  const [weight, setWeight] = useState(Math.round((extra?.[1] ?? 0) * 100));
  const [description, setDescription] = useState(alias?.description ?? '');
  const { errors, check } = useFieldErrors<'name' | 'second'>();
  const save = useChange({
    run: () => {
      const body: Schema<'AliasRequest'> = {
        functionVersion: primary,
        additionalWeights: second ? { [second]: weight / 100 } : {},
        ...(description ? { description } : {}),
      };
      return ok(
        client.PUT('/v1/functions/{name}/aliases/{alias}', {
          params: { path: { name, alias: aliasName } },
          body,
        }),
      );
    },
    invalidate: touched(name),
    onDone,
  });
  function submit() {
    const ok = check({
      name:
        !ALIAS_NAME.test(aliasName) &&
        'An alias name is letters, digits, - and _ (not only digits), at most 128.',
      second: second !== '' && second === primary && 'The second version must differ from the first.',
    });
    if (ok) save.mutate();
  }
  return (
    <ChangeForm
      title={alias ? `Edit alias ${alias.name}` : 'New alias'}
      level={3}
      className="form"
      change={save}
      failed="Saving the alias failed"
      submit="Save alias"
      busy="Saving…"
      noValidate
      onSubmit={submit}
      actions={
        <button type="button" onClick={onDone}>
          Cancel
        </button>
      }
    >
      <TextField
        id="alias-name"
        label="Alias name"
        value={aliasName}
        readOnly={alias !== undefined}
        onChange={setAliasName}
        error={errors.name}
      />
      <SelectField
        id="alias-primary"
        label="Version"
        value={primary}
        onChange={setPrimary}
        options={versions.map((v) => ({
          value: v.version,
          label: v.description ? `${v.version} — ${v.description}` : v.version,
        }))}
      />
      <SelectField
        id="alias-second"
        label="Second version (weighted routing)"
        value={second}
        onChange={setSecond}
        options={[
          { value: '', label: '(none: every call to the version above)' },
          ...versions.map((v) => v.version),
        ]}
        error={errors.second}
      />
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
      <TextField id="alias-description" label="Description" value={description} onChange={setDescription} />
    </ChangeForm>
  );
}
