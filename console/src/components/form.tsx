/**
 * Form pieces: labelled fields with inline errors (linked by aria-describedby), selects, the
 * function picker, a segmented choice, and `ChangeForm`, the shell of every "new X" form.
 */
import { type InputHTMLAttributes, type ReactNode, useId, useState } from 'react';
import { useFunctions } from './query.ts';
import { ErrorBox } from './states.tsx';
import './components.css';

/** What a field's control gets: its id, and aria-invalid/aria-describedby while it has an error. */
export interface ControlProps {
  id: string;
  'aria-invalid'?: true;
  'aria-describedby'?: string;
}

/** A label, a control (`children` renders it with `ControlProps`) and the control's inline error. */
export function Field({
  id,
  label,
  error,
  grow,
  children,
}: {
  id: string;
  label: ReactNode;
  error?: string | undefined;
  /** Takes the spare width of an inline row. */
  grow?: boolean | undefined;
  children: (control: ControlProps) => ReactNode;
}) {
  const control: ControlProps = error
    ? { id, 'aria-invalid': true, 'aria-describedby': `${id}-error` }
    : { id };
  return (
    <div className={grow ? 'field grow' : 'field'}>
      <label htmlFor={id}>{label}</label>
      {children(control)}
      <FieldError id={`${id}-error`} error={error} />
    </div>
  );
}

/** An inline error, for a control or a group (linked with aria-describedby to `id`). */
export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  return error ? (
    <p className="field-error" id={id}>
      {error}
    </p>
  ) : null;
}

type InputProps = Omit<InputHTMLAttributes<HTMLInputElement>, 'id' | 'value' | 'onChange'>;

/** A text input in a `Field`; other input attributes pass through. */
export function TextField({
  id,
  label,
  value,
  onChange,
  error,
  grow,
  ...input
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  grow?: boolean;
} & InputProps) {
  return (
    <Field id={id} label={label} error={error} grow={grow}>
      {(control) => (
        <input {...input} {...control} value={value} onChange={(e) => onChange(e.target.value)} />
      )}
    </Field>
  );
}

/** JSON typed by a user, in a monospace text area. */
export function JsonField({
  id,
  label,
  value,
  onChange,
  placeholder,
  error,
}: {
  id: string;
  label: ReactNode;
  value: string;
  onChange: (value: string) => void;
  placeholder?: string;
  error?: string | undefined;
}) {
  return (
    <Field id={id} label={label} error={error}>
      {(control) => (
        <textarea
          {...control}
          className="json"
          spellCheck={false}
          value={value}
          placeholder={placeholder}
          onChange={(e) => onChange(e.target.value)}
        />
      )}
    </Field>
  );
}

/** A choice: its value, or a value with the text shown for it. */
export type Option<V extends string> = V | { value: V; label: string };

export function Options<V extends string>({ options }: { options: readonly Option<V>[] }) {
  return options.map((o) => {
    const { value, label } = typeof o === 'string' ? { value: o, label: o } : o;
    return (
      <option key={value} value={value}>
        {label}
      </option>
    );
  });
}

/** A select in a `Field`. */
export function SelectField<V extends string>({
  id,
  label,
  value,
  onChange,
  options,
  error,
}: {
  id: string;
  label: ReactNode;
  value: V;
  onChange: (value: V) => void;
  options: readonly Option<V>[];
  error?: string | undefined;
}) {
  return (
    <Field id={id} label={label} error={error}>
      {(control) => (
        <select {...control} value={value} onChange={(e) => onChange(e.target.value as V)}>
          <Options options={options} />
        </select>
      )}
    </Field>
  );
}

/** The tenant's functions to choose from (a text field when they cannot be listed, or there are none). */
export function FunctionField({
  id,
  value,
  onChange,
}: {
  id: string;
  value: string;
  onChange: (name: string) => void;
}) {
  const list = useFunctions();
  const names = list.data?.functions.map((f) => f.name) ?? [];
  const typed = list.isError || (list.isSuccess && names.length === 0);
  return (
    <Field id={id} label="Function">
      {(control) =>
        typed ? (
          <input
            {...control}
            value={value}
            onChange={(e) => onChange(e.target.value)}
            required
            placeholder="my-fn"
          />
        ) : (
          <select {...control} value={value} onChange={(e) => onChange(e.target.value)} required>
            <option value="">{list.isPending ? 'Loading functions…' : 'Choose a function'}</option>
            <Options options={names} />
          </select>
        )
      }
    </Field>
  );
}

/** One of a few choices shown side by side (radio buttons that look like a segmented button). */
export function Segmented<V extends string | number>({
  legend,
  name,
  options,
  value,
  onChange,
}: {
  legend: string;
  name: string;
  options: readonly { value: V; label: string }[];
  value: V;
  onChange: (value: V) => void;
}) {
  return (
    <fieldset className="segmented">
      <legend className="sr-only">{legend}</legend>
      {options.map((o) => (
        <label key={o.value} className={o.value === value ? 'on' : ''}>
          <input
            type="radio"
            name={name}
            value={o.value}
            checked={o.value === value}
            onChange={() => onChange(o.value)}
          />
          {o.label}
        </label>
      ))}
    </fieldset>
  );
}

/**
 * A form's inline errors: `check(found)` shows the problems found (a falsy entry is none) and
 * says whether there were none.
 */
export function useFieldErrors<K extends string>() {
  const [errors, setErrors] = useState<Partial<Record<K, string>>>({});
  const check = (found: Partial<Record<K, string | false | undefined>>): boolean => {
    const next = Object.fromEntries(Object.entries(found).filter(([, v]) => v)) as Partial<Record<K, string>>;
    setErrors(next);
    return Object.keys(next).length === 0;
  };
  return { errors, check, setErrors };
}

export function SubmitButton({
  pending,
  busy,
  disabled,
  children,
}: {
  pending: boolean;
  /** What the button says while the change runs ("Creating…"). */
  busy: string;
  disabled?: boolean | undefined;
  children: ReactNode;
}) {
  return (
    <button type="submit" className="primary" disabled={pending || disabled}>
      {pending ? busy : children}
    </button>
  );
}

/** What `ChangeForm` reads of its mutation. */
interface ChangeState {
  isPending: boolean;
  isError: boolean;
  error: unknown;
}

/**
 * The shell of a form that creates or saves something: a title that names the form, the
 * fields, the coded error of its change, the submit button (busy while the change runs) with
 * any other actions, then a status line.
 */
export function ChangeForm({
  title,
  level = 2,
  className = 'card',
  change,
  failed,
  submit,
  busy,
  disabled,
  noValidate,
  onSubmit,
  actions,
  status,
  children,
}: {
  title: ReactNode;
  level?: 2 | 3;
  className?: string;
  change: ChangeState;
  /** The error's title ("Could not add the route"). */
  failed: string;
  submit: string;
  busy: string;
  disabled?: boolean;
  /** The form checks its fields itself (`useFieldErrors`) rather than the browser. */
  noValidate?: boolean;
  onSubmit: () => void;
  actions?: ReactNode;
  status?: ReactNode;
  children: ReactNode;
}) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <form
      className={className}
      noValidate={noValidate}
      aria-labelledby={id}
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      <Heading id={id}>{title}</Heading>
      {children}
      {change.isError ? <ErrorBox error={change.error} title={failed} /> : null}
      <div className="row wrap">
        <SubmitButton pending={change.isPending} busy={busy} disabled={disabled}>
          {submit}
        </SubmitButton>
        {actions}
      </div>
      {status}
    </form>
  );
}
