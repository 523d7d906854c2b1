/**
 * The pattern tester: an event and an EventBridge pattern → match or not, with the platform's own
 * matcher (src/events/pattern.ts is plain TypeScript, so the console bundles it: the answer is the
 * one the bus gives, without a round trip). The subscriptions of the chosen topic are checked too.
 */
import { type FormEvent, useState } from 'react';
import { compilePattern } from '../../../src/events/pattern.ts';
import type { Schema } from '../api/client.ts';
import { JsonField } from '../components/form.tsx';
import { ErrorBox } from '../components/states.tsx';
import { parseJson } from '../components/text.ts';

type SubscriptionView = Schema<'SubscriptionView'>;

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
  | { kind: 'error'; error: unknown }
  | { kind: 'done'; match: boolean; subs: { sub: SubscriptionView; match: boolean | 'invalid' }[] };

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
    const ev = parseJson(event, 'The event');
    if (!ev.ok) return setOut({ kind: 'error', error: ev.error });
    const pat = parseJson(pattern, 'The pattern');
    if (!pat.ok) return setOut({ kind: 'error', error: pat.error });
    let match: boolean;
    try {
      match = matches(pat.value, ev.value);
    } catch (err) {
      // The platform's NimbusError (EVENTS_INVALID_PATTERN), shown with its code and hint.
      return setOut({ kind: 'error', error: err });
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
        <JsonField id="tester-event" label="Event (JSON)" value={event} onChange={setEvent} />
        <JsonField id="tester-pattern" label="Pattern (JSON)" value={pattern} onChange={setPattern} />
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
