/** A destructive action: the first press asks, the second (or Cancel) answers. */
import { useState } from 'react';
import { ErrorBox } from '../ui.tsx';

export function Confirm({
  label,
  question,
  yes,
  onConfirm,
  pending,
  error,
  className = 'danger',
}: {
  label: string;
  question: string;
  yes: string;
  onConfirm: () => void;
  pending?: boolean;
  error?: unknown;
  className?: string;
}) {
  const [asking, setAsking] = useState(false);
  if (!asking)
    return (
      <>
        <button type="button" className={className} onClick={() => setAsking(true)}>
          {label}
        </button>
        {error ? <ErrorBox error={error} title={`${label} failed`} /> : null}
      </>
    );
  return (
    <div className="confirm">
      <span>{question}</span>
      <button
        type="button"
        className="danger"
        onClick={() => {
          onConfirm();
          setAsking(false);
        }}
        disabled={pending}
      >
        {pending ? 'Working…' : yes}
      </button>
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </div>
  );
}
