/**
 * The pattern tester: an event and an EventBridge pattern → match or not, with the platform's own
 * matcher (src/events/pattern.ts is plain TypeScript, so the console bundles it: the answer is the
 * one the bus gives, without a round trip). The subscriptions of the chosen topic are checked too.
 */
import { type FormEvent, useState } from 'react';
import { compilePattern } from '../../../src/events/pattern.ts';
import { ApiError } from '../api.ts';
import { ErrorBox } from '../ui.tsx';
import { parseJsonText } from './common.tsx';
import type { SubscriptionView } from './types.ts';

export const SAMPLE_EVENT = `{
  "specversion": "1.0",
  "id": "evt-1",
  "source": "orders",
  "type": "order.created",
  "data": { "amount": 150, "currency": "EUR" }
}`;
export const SAMPLE_PATTERN = `{
  "source": ["orders"],
  "data": { "amount": [{ "numeric": [">", 100] }] }
}`;

type Outcome =
  | { kind: 'error'; error: ApiError }
  | { kind: 'done'; match: boolean; subs: { sub: SubscriptionView; match: boolean | 'invalid' }[] };

/** A thrown coded error (NimbusError) as the console shows API errors. */
function coded(e: unknown): ApiError {
  const x = e as { code?: string; message?: string; status?: number; hint?: string };
  return new ApiError({
    code: x.code ?? 'CONSOLE_ERROR',
    message: x.message ?? String(e),
    status: x.status ?? 400,
    hint: x.hint,
  });
}

export function matches(pattern: unknown, event: unknown): boolean {
  return compilePattern(pattern).match(event);
}

export function PatternTester({
  topic,
  subscriptions,
}: {
  topic?: string;
  subscriptions: SubscriptionView[];
}) {
  const [event, setEvent] = useState(SAMPLE_EVENT);
  const [pattern, setPattern] = useState(SAMPLE_PATTERN);
  const [out, setOut] = useState<Outcome | undefined>();

  const test = (e: FormEvent) => {
    e.preventDefault();
    const ev = parseJsonText(event, 'The event');
    if (!ev.ok) {
      setOut({
        kind: 'error',
        error: new ApiError({
          code: 'INVALID_JSON',
          message: ev.error,
          status: 400,
          hint: 'paste a JSON object',
        }),
      });
      return;
    }
    const pat = parseJsonText(pattern, 'The pattern');
    if (!pat.ok) {
      setOut({
        kind: 'error',
        error: new ApiError({
          code: 'INVALID_JSON',
          message: pat.error,
          status: 400,
          hint: 'paste a JSON object',
        }),
      });
      return;
    }
    let match: boolean;
    try {
      match = matches(pat.value, ev.value);
    } catch (err) {
      setOut({ kind: 'error', error: coded(err) });
      return;
    }
    const subs = subscriptions.map((sub) => {
      if (sub.pattern === null || sub.pattern === undefined) return { sub, match: true as const };
      try {
        return { sub, match: matches(sub.pattern, ev.value) };
      } catch {
        return { sub, match: 'invalid' as const };
      }
    });
    setOut({ kind: 'done', match, subs });
  };

  return (
    <form className="card" onSubmit={test} aria-labelledby="tester-title">
      <h2 id="tester-title">Pattern tester</h2>
      <p className="muted small">
        Paste an event as a subscription sees it (a CloudEvent by default; EventBridge-shaped for{' '}
        <code>view: eventbridge</code>) and an EventBridge event pattern.
      </p>
      <div className="tester">
        <div>
          <label htmlFor="tester-event">Event (JSON)</label>
          <textarea
            id="tester-event"
            className="json"
            spellCheck={false}
            value={event}
            onChange={(e) => setEvent(e.target.value)}
          />
        </div>
        <div>
          <label htmlFor="tester-pattern">Pattern (JSON)</label>
          <textarea
            id="tester-pattern"
            className="json"
            spellCheck={false}
            value={pattern}
            onChange={(e) => setPattern(e.target.value)}
          />
        </div>
      </div>
      <div className="row wrap">
        <button type="submit" className="primary">
          Test pattern
        </button>
      </div>
      <div aria-live="polite">
        {out?.kind === 'error' ? <ErrorBox error={out.error} title="Cannot test" /> : null}
        {out?.kind === 'done' ? (
          <>
            <p>
              <span data-testid="pattern-verdict" className={`verdict ${out.match ? 'match' : 'nomatch'}`}>
                {out.match ? '✓ Matches' : '✗ Does not match'}
              </span>
            </p>
            {topic && out.subs.length > 0 ? (
              <>
                <h3>Subscriptions of {topic} this event reaches</h3>
                <ul data-testid="pattern-subscriptions">
                  {out.subs.map(({ sub, match }) => (
                    <li key={sub.id}>
                      <strong>
                        {match === 'invalid' ? 'invalid pattern' : match ? 'matches' : 'no match'}
                      </strong>{' '}
                      → {targetLabel(sub.target)} <span className="muted small">({sub.id})</span>
                    </li>
                  ))}
                </ul>
              </>
            ) : null}
          </>
        ) : null}
      </div>
    </form>
  );
}

export function targetLabel(t: SubscriptionView['target']): string {
  if ('function' in t) return `function ${t.function}${t.qualifier ? `:${t.qualifier}` : ''}`;
  if ('webhook' in t) return `webhook ${t.webhook}`;
  if ('sqs' in t) return `queue ${t.sqs}`;
  if ('stateMachine' in t) return `state machine ${t.stateMachine}`;
  if ('workflow' in t) return `workflow ${t.workflow}`;
  return `topic ${t.topic}`;
}
