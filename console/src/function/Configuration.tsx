/**
 * A function's configuration: memory, timeout, environment, secret references, reserved
 * concurrency and role. Saved with PATCH /v1/functions/:name (only what changed); clearing the
 * reserved concurrency needs a PUT of the whole configuration with the function's own code
 * (`code: {sha256}`, no build), as a PATCH can only set it. Problems show next to their field:
 * the form's own checks first, then the platform's (its INVALID_CONFIG lists one per line).
 */
import { type FormEvent, useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { useChange } from '../components/change.ts';
import { Field, FieldError, Options, SubmitButton, TextField } from '../components/form.tsx';
import { FUNCTIONS, functionKey, useGet } from '../components/query.ts';
import { ErrorBox } from '../components/states.tsx';
import { useCan, useDenied } from '../permissions.ts';
import { useSession } from '../session.tsx';

type FunctionView = Schema<'FunctionView'>;

type FieldName = 'memory' | 'timeout' | 'concurrency' | 'role' | 'environment' | 'secrets';
type Errors = Partial<Record<FieldName | 'form', string>>;

interface Draft {
  memory: string;
  timeout: string;
  concurrency: string;
  role: string;
  env: { name: string; value: string }[];
  secrets: string[];
}

const draftOf = (f: FunctionView): Draft => ({
  memory: String(f.memoryMb),
  timeout: String(f.timeoutSec),
  concurrency: f.reservedConcurrency === null ? '' : String(f.reservedConcurrency),
  role: f.role ?? '',
  env: Object.entries(f.environment).map(([name, value]) => ({ name, value })),
  secrets: [...f.secrets],
});

const ENV_NAME = /^[A-Za-z][A-Za-z0-9_]*$/;
const SECRET_NAME = /^[A-Za-z0-9/_+=.@-]{1,512}$/;
const int = (s: string) => (/^\s*-?\d+\s*$/.test(s) ? Number(s) : Number.NaN);

/** The form's own checks, the same as the platform's (src/registry/runtimes.ts). */
export function checkDraft(d: Draft): Errors {
  const e: Errors = {};
  const mem = int(d.memory);
  if (!(mem >= 128 && mem <= 10240)) e.memory = 'Memory is a whole number of MB from 128 to 10240.';
  const t = int(d.timeout);
  if (!(t >= 1 && t <= 900)) e.timeout = 'The timeout is a whole number of seconds from 1 to 900.';
  if (d.concurrency.trim() !== '' && !(int(d.concurrency) >= 1))
    e.concurrency = 'Reserved concurrency is a whole number from 1 (or empty: none reserved).';
  const seen = new Set<string>();
  for (const { name } of d.env) {
    if (!ENV_NAME.test(name)) {
      e.environment = `Variable ${JSON.stringify(name)}: names start with a letter, then letters, digits, _.`;
      break;
    }
    if (/^AWS_/.test(name) || name === 'LAMBDA_TASK_ROOT' || name === '_HANDLER') {
      e.environment = `Variable ${name} is reserved by the runtime.`;
      break;
    }
    if (seen.has(name)) {
      e.environment = `Variable ${name} is set twice.`;
      break;
    }
    seen.add(name);
  }
  const bad = d.secrets.find((s) => !SECRET_NAME.test(s));
  if (bad !== undefined) e.secrets = `Secret ${JSON.stringify(bad)}: letters, digits and / _ + = . @ - only.`;
  return e;
}

/** The problems of a coded 400 as lines ("memory 1: must be …", "secrets.0: Invalid"). */
function problemsOf(e: unknown): string[] {
  if (!(e instanceof ApiError) || e.status !== 400) return [];
  const text = e.message.replace(/^invalid (function configuration|request):\s*/, '');
  return text
    .split(/\n|; /)
    .map((l) => l.replace(/^\s*-\s*/, '').trim())
    .filter(Boolean);
}

/** Which field a platform problem line is about. */
function fieldOfProblem(line: string): FieldName | 'form' {
  if (/^memory/i.test(line)) return 'memory';
  if (/^timeout/i.test(line)) return 'timeout';
  if (/^reservedConcurrency/.test(line)) return 'concurrency';
  if (/^environment/.test(line)) return 'environment';
  if (/^secrets/.test(line)) return 'secrets';
  if (/^role/.test(line)) return 'role';
  return 'form';
}

export function Configuration({ f }: { f: FunctionView }) {
  const { client } = useSession();
  const can = useCan();
  const denied = useDenied();
  const [draft, setDraft] = useState(() => draftOf(f));
  const [errors, setErrors] = useState<Errors>({});
  const [newSecret, setNewSecret] = useState('');
  const roles = useGet(['roles'], (c) => c.GET('/v1/roles'));
  const secrets = useGet(['secrets'], (c) => c.GET('/v1/secrets'));
  const params = { path: { name: f.name } };

  const save = useChange({
    run: (d: Draft): Promise<unknown> => {
      const environment = Object.fromEntries(d.env.map((v) => [v.name, v.value]));
      const patch: Schema<'UpdateFunctionRequest'> = {};
      if (int(d.memory) !== f.memoryMb) patch.memoryMb = int(d.memory);
      if (int(d.timeout) !== f.timeoutSec) patch.timeoutSec = int(d.timeout);
      // An empty field clears the reservation (null), a number sets it.
      const concurrency = d.concurrency.trim() === '' ? null : int(d.concurrency);
      if (concurrency !== f.reservedConcurrency) patch.reservedConcurrency = concurrency;
      if (JSON.stringify(environment) !== JSON.stringify(f.environment)) patch.environment = environment;
      if ((d.role || null) !== f.role) patch.role = d.role || null;
      if (JSON.stringify(d.secrets) !== JSON.stringify(f.secrets)) patch.secrets = d.secrets;
      return ok(client.PATCH('/v1/functions/{name}', { params, body: patch }));
    },
    invalidate: [functionKey(f.name), FUNCTIONS],
    onDone: () => setErrors({}),
    onError: (e) => {
      const next: Errors = {};
      for (const line of problemsOf(e)) {
        const k = fieldOfProblem(line);
        next[k] = next[k] ? `${next[k]} ${line}` : line;
      }
      setErrors(next);
    },
  });

  function submit(ev: FormEvent) {
    ev.preventDefault();
    const e = checkDraft(draft);
    setErrors(e);
    save.reset();
    if (Object.keys(e).length === 0) save.mutate(draft);
  }
  const set = (patch: Partial<Draft>) => setDraft((d) => ({ ...d, ...patch }));
  const setEnv = (i: number, patch: Partial<Draft['env'][number]>) =>
    set({ env: draft.env.map((v, j) => (j === i ? { ...v, ...patch } : v)) });
  const roleNames = roles.data?.roles.map((r) => r.name) ?? [];
  const shownError = save.isError && problemsOf(save.error).length === 0;

  return (
    <form className="card" onSubmit={submit} noValidate aria-labelledby="config-title">
      <h2 id="config-title">Configuration</h2>
      <div className="field-grid">
        <TextField
          id="cfg-memory"
          label="Memory (MB)"
          inputMode="numeric"
          value={draft.memory}
          onChange={(memory) => set({ memory })}
          error={errors.memory}
        />
        <TextField
          id="cfg-timeout"
          label="Timeout (seconds)"
          inputMode="numeric"
          value={draft.timeout}
          onChange={(timeout) => set({ timeout })}
          error={errors.timeout}
        />
        <TextField
          id="cfg-concurrency"
          label="Reserved concurrency"
          inputMode="numeric"
          placeholder="none"
          value={draft.concurrency}
          onChange={(concurrency) => set({ concurrency })}
          error={errors.concurrency}
        />
        <Field id="cfg-role" label="Execution role" error={errors.role}>
          {(control) =>
            roles.isSuccess ? (
              <select {...control} value={draft.role} onChange={(e) => set({ role: e.target.value })}>
                <Options
                  options={[
                    { value: '', label: '(the default execution role)' },
                    ...new Set([...roleNames, ...(draft.role ? [draft.role] : [])]),
                  ]}
                />
              </select>
            ) : (
              <input
                {...control}
                placeholder="(the default execution role)"
                value={draft.role}
                onChange={(e) => set({ role: e.target.value })}
              />
            )
          }
        </Field>
      </div>

      <fieldset aria-describedby={errors.environment ? 'cfg-env-error' : undefined}>
        <legend>Environment variables</legend>
        {draft.env.length === 0 ? <p className="muted small">No variables.</p> : null}
        {draft.env.map((v, i) => (
          // biome-ignore lint/suspicious/noArrayIndexKey: rows are edited in place; a name may be empty or repeated while typing
          <div className="kv-row" key={i}>
            <input
              aria-label={`Name of variable ${i + 1}`}
              value={v.name}
              onChange={(e) => setEnv(i, { name: e.target.value })}
            />
            <input
              aria-label={`Value of variable ${i + 1}`}
              value={v.value}
              onChange={(e) => setEnv(i, { value: e.target.value })}
            />
            <button
              type="button"
              className="ghost"
              onClick={() => set({ env: draft.env.filter((_, j) => j !== i) })}
            >
              Remove<span className="sr-only"> variable {i + 1}</span>
            </button>
          </div>
        ))}
        <button type="button" onClick={() => set({ env: [...draft.env, { name: '', value: '' }] })}>
          Add variable
        </button>
        <FieldError id="cfg-env-error" error={errors.environment} />
      </fieldset>

      <fieldset aria-describedby={errors.secrets ? 'cfg-secrets-error' : undefined}>
        <legend>Secret references</legend>
        <p className="muted small">
          Secrets the function may read at run time (their values never pass through the console).
        </p>
        {draft.secrets.length === 0 ? <p className="muted small">None.</p> : null}
        <ul className="plain">
          {draft.secrets.map((s) => (
            <li key={s} className="kv-row">
              <code>{s}</code>
              <button
                type="button"
                className="ghost"
                onClick={() => set({ secrets: draft.secrets.filter((x) => x !== s) })}
              >
                Remove<span className="sr-only"> secret {s}</span>
              </button>
            </li>
          ))}
        </ul>
        <div className="kv-row">
          <label htmlFor="cfg-secret" className="sr-only">
            Secret name
          </label>
          <input
            id="cfg-secret"
            list="cfg-secret-names"
            placeholder="secret name"
            value={newSecret}
            onChange={(e) => setNewSecret(e.target.value)}
          />
          <datalist id="cfg-secret-names">
            {(secrets.data?.secrets ?? []).map((s) => (
              <option key={s.name} value={s.name} />
            ))}
          </datalist>
          <button
            type="button"
            onClick={() => {
              const s = newSecret.trim();
              if (s && !draft.secrets.includes(s)) set({ secrets: [...draft.secrets, s] });
              setNewSecret('');
            }}
          >
            Add secret
          </button>
        </div>
        <FieldError id="cfg-secrets-error" error={errors.secrets} />
      </fieldset>

      {errors.form ? (
        <p className="field-error" role="alert">
          {errors.form}
        </p>
      ) : null}
      <div className="row wrap">
        {can('lambda:UpdateFunctionConfiguration') ? (
          <SubmitButton pending={save.isPending} busy="Saving…">
            Save configuration
          </SubmitButton>
        ) : denied('lambda:UpdateFunctionConfiguration') ? (
          <span className="muted">This key may not change the configuration.</span>
        ) : null}
        <button
          type="button"
          onClick={() => {
            setDraft(draftOf(f));
            setErrors({});
            save.reset();
          }}
        >
          Reset
        </button>
        <output className="muted" aria-live="polite">
          {save.isSuccess ? 'Saved.' : Object.keys(errors).length > 0 ? 'Fix the fields marked above.' : ''}
        </output>
      </div>
      {shownError ? <ErrorBox error={save.error} title="Saving the configuration failed" /> : null}
    </form>
  );
}
