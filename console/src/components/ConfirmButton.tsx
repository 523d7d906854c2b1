/**
 * An action that asks first (a delete, a revoke, a rollback, a replay): the button turns into
 * "question · Yes · Cancel". Yes runs the change, which refreshes the queries it touched; a
 * failure shows the platform's coded error in the box, which stays open to retry or cancel.
 * Focus follows the box: onto Yes when it opens, back to the button when it closes; Escape
 * cancels.
 */
import type { QueryKey } from '@tanstack/react-query';
import { useEffect, useId, useRef, useState } from 'react';
import { type Answer, type ApiClient, ok } from '../api/client.ts';
import { useSession } from '../session.tsx';
import { useChange } from './change.ts';
import { ErrorBox } from './states.tsx';
import './components.css';

export interface ConfirmProps<R> {
  label: string;
  /** The button's name for assistive tech when the visible label is short ("Delete"). */
  accessibleName?: string;
  question: string;
  yes: string;
  run: () => Promise<R>;
  /** The queries to refetch once it is done. */
  invalidate?: readonly QueryKey[];
  onDone?: (result: R) => unknown;
  /** Not destructive (a replay, a rollback): the buttons are not red. */
  safe?: boolean;
}

export function ConfirmButton<R>({
  label,
  accessibleName,
  question,
  yes,
  run,
  invalidate,
  onDone,
  safe,
}: ConfirmProps<R>) {
  const [asking, setAsking] = useState(false);
  const change = useChange({
    run,
    ...(invalidate ? { invalidate } : {}),
    onDone: (r: R) => {
      setAsking(false);
      return onDone?.(r);
    },
  });
  const opener = useRef<HTMLButtonElement>(null);
  const confirm = useRef<HTMLButtonElement>(null);
  const questionId = useId();
  // Moves focus only after a user's answer, not when the button first renders.
  const answered = useRef(false);
  useEffect(() => {
    if (answered.current) (asking ? confirm : opener).current?.focus();
  }, [asking]);
  const ask = (open: boolean) => {
    answered.current = true;
    if (!open) change.reset();
    setAsking(open);
  };

  if (!asking)
    return (
      <button
        ref={opener}
        type="button"
        className={safe ? undefined : 'danger'}
        aria-label={accessibleName}
        onClick={() => ask(true)}
      >
        {label}
      </button>
    );
  return (
    <fieldset
      className="confirm"
      aria-labelledby={questionId}
      onKeyDown={(e) => {
        if (e.key === 'Escape') ask(false);
      }}
    >
      <span id={questionId}>{question}</span>
      <button
        ref={confirm}
        type="button"
        className={safe ? 'primary' : 'danger'}
        // aria-disabled, not disabled: a disabled button would drop the focus out of the box.
        aria-disabled={change.isPending}
        onClick={() => {
          if (!change.isPending) change.mutate();
        }}
      >
        {change.isPending ? 'Working…' : yes}
      </button>
      <button type="button" onClick={() => ask(false)}>
        Cancel
      </button>
      {change.isError ? <ErrorBox error={change.error} title={`${label} failed`} /> : null}
    </fieldset>
  );
}

/**
 * Deletes, after asking `question`: `call` is the request,
 * `(c) => c.DELETE('/v1/routes/{id}', { params: { path: { id } } })`.
 */
export function DeleteButton({
  call,
  label = 'Delete',
  yes = 'Yes, delete',
  ...rest
}: { call: (client: ApiClient) => Promise<Answer<unknown>>; label?: string; yes?: string } & Omit<
  ConfirmProps<unknown>,
  'run' | 'label' | 'yes' | 'safe'
>) {
  const { client } = useSession();
  return <ConfirmButton {...rest} label={label} yes={yes} run={() => ok(call(client))} />;
}
