/** Topics and their subscriptions (function targets with an EventBridge pattern), and the tester. */
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { ApiError } from '../api.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, Loading } from '../ui.tsx';
import { ConfirmButton, FunctionSelect, parseJsonText } from './common.tsx';
import { PatternTester, targetLabel } from './PatternTester.tsx';
import type { SubscriptionRequest, SubscriptionView, TopicView } from './types.ts';

const TOPICS = ['topics'] as const;
const subsKey = (topic: string) => ['subscriptions', topic] as const;
const enc = encodeURIComponent;

export function TopicsTab() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: TOPICS,
    queryFn: () => api<{ topics: TopicView[] }>('GET', '/v1/topics'),
  });
  const [picked, setPicked] = useState('');
  const topics = list.data?.topics ?? [];
  const topic = topics.some((t) => t.name === picked) ? picked : (topics[0]?.name ?? '');
  const subs = useQuery({
    queryKey: subsKey(topic),
    queryFn: () =>
      api<{ subscriptions: SubscriptionView[] }>('GET', `/v1/topics/${enc(topic)}/subscriptions`),
    enabled: topic !== '',
  });

  return (
    <>
      <CreateTopic onCreated={setPicked} />
      <div className="section-head">
        <h2>Topics</h2>
      </div>
      {list.isPending ? (
        <Loading what="topics" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list topics" />
      ) : topics.length === 0 ? (
        <Empty>
          <p>No topics yet. Create one above, then subscribe functions to it.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Topics">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Description</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {topics.map((t) => (
                <tr key={t.name}>
                  <td>
                    {t.name === topic ? (
                      <strong aria-current="true">{t.name}</strong>
                    ) : (
                      <button type="button" className="ghost" onClick={() => setPicked(t.name)}>
                        {t.name}
                      </button>
                    )}
                  </td>
                  <td className="cell-wrap">{t.description || <span className="muted">–</span>}</td>
                  <td>
                    <ConfirmButton
                      label="Delete"
                      accessibleName={`Delete topic ${t.name}`}
                      question={`Delete ${t.name} and its subscriptions?`}
                      yes="Yes, delete"
                      run={() => api('DELETE', `/v1/topics/${enc(t.name)}`)}
                      invalidate={[TOPICS, subsKey(t.name)]}
                    />
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      {topic ? (
        <>
          <div className="section-head">
            <h2>Subscriptions of {topic}</h2>
          </div>
          <Subscribe topic={topic} />
          {subs.isPending ? (
            <Loading what="subscriptions" />
          ) : subs.isError ? (
            <ErrorBox error={subs.error} title="Could not list subscriptions" />
          ) : subs.data.subscriptions.length === 0 ? (
            <Empty>
              <p>Nothing subscribes to {topic} yet: its events go nowhere.</p>
            </Empty>
          ) : (
            <SubscriptionTable topic={topic} subs={subs.data.subscriptions} />
          )}
        </>
      ) : null}
      <PatternTester topic={topic || undefined} subscriptions={subs.data?.subscriptions ?? []} />
    </>
  );
}

function SubscriptionTable({ topic, subs }: { topic: string; subs: SubscriptionView[] }) {
  const { api } = useSession();
  return (
    <div className="table-wrap">
      <table className="table" aria-label={`Subscriptions of ${topic}`}>
        <thead>
          <tr>
            <th scope="col">Target</th>
            <th scope="col">Pattern</th>
            <th scope="col">View</th>
            <th scope="col">Origin</th>
            <th scope="col">
              <span className="sr-only">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {subs.map((s) => (
            <tr key={s.id}>
              <td>{targetLabel(s.target)}</td>
              <td>
                {s.pattern === null ? (
                  <span className="muted">every event</span>
                ) : (
                  <pre className="cell-pre code">{JSON.stringify(s.pattern)}</pre>
                )}
              </td>
              <td>{s.view}</td>
              <td>{s.origin}</td>
              <td>
                <ConfirmButton
                  label="Delete"
                  accessibleName={`Delete subscription ${s.id}`}
                  question={`Unsubscribe ${targetLabel(s.target)}?`}
                  yes="Yes, unsubscribe"
                  run={() => api('DELETE', `/v1/subscriptions/${enc(s.id)}`)}
                  invalidate={[subsKey(topic)]}
                />
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function CreateTopic({ onCreated }: { onCreated: (name: string) => void }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useMutation({
    mutationFn: (b: { name: string; description: string }) =>
      api<TopicView>('PUT', `/v1/topics/${enc(b.name)}`, b.description ? { description: b.description } : {}),
    onSuccess: async (t) => {
      await queries.invalidateQueries({ queryKey: TOPICS });
      onCreated(t.name);
      setName('');
      setDescription('');
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    create.mutate({ name: name.trim(), description: description.trim() });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="create-topic">
      <h2 id="create-topic">Create a topic</h2>
      <div className="inline-form">
        <div>
          <label htmlFor="topic-name">Topic name</label>
          <input id="topic-name" value={name} onChange={(e) => setName(e.target.value)} required />
        </div>
        <div className="grow">
          <label htmlFor="topic-description">Description</label>
          <input
            id="topic-description"
            value={description}
            onChange={(e) => setDescription(e.target.value)}
          />
        </div>
        <div>
          <button type="submit" className="primary" disabled={create.isPending || !name.trim()}>
            {create.isPending ? 'Creating…' : 'Create topic'}
          </button>
        </div>
      </div>
      {create.isError ? <ErrorBox error={create.error} title="Could not create the topic" /> : null}
    </form>
  );
}

function Subscribe({ topic }: { topic: string }) {
  const { api } = useSession();
  const queries = useQueryClient();
  const [fn, setFn] = useState('');
  const [pattern, setPattern] = useState('');
  const [view, setView] = useState<'cloudevent' | 'eventbridge'>('cloudevent');
  const [local, setLocal] = useState<ApiError | undefined>();
  const sub = useMutation({
    mutationFn: (b: SubscriptionRequest) =>
      api<SubscriptionView>('POST', `/v1/topics/${enc(topic)}/subscriptions`, b),
    onSuccess: async () => {
      setPattern('');
      await queries.invalidateQueries({ queryKey: subsKey(topic) });
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    setLocal(undefined);
    let pat: Record<string, unknown> | undefined;
    if (pattern.trim()) {
      const p = parseJsonText(pattern, 'The pattern');
      if (!p.ok || typeof p.value !== 'object' || p.value === null || Array.isArray(p.value)) {
        setLocal(
          new ApiError({
            code: 'INVALID_JSON',
            message: p.ok ? 'the pattern must be a JSON object' : p.error,
            status: 400,
            hint: 'for example {"source": ["orders"]}',
          }),
        );
        return;
      }
      pat = p.value as Record<string, unknown>;
    }
    sub.mutate({ target: { function: fn }, ...(pat ? { pattern: pat } : {}), view });
  };
  return (
    <form className="card" onSubmit={submit} aria-labelledby="subscribe">
      <h3 id="subscribe">Subscribe a function to {topic}</h3>
      <div className="inline-form">
        <div>
          <label htmlFor="sub-fn">Function</label>
          <FunctionSelect id="sub-fn" value={fn} onChange={setFn} />
        </div>
        <div>
          <label htmlFor="sub-view">Event shape</label>
          <select
            id="sub-view"
            value={view}
            onChange={(e) => setView(e.target.value as 'cloudevent' | 'eventbridge')}
          >
            <option value="cloudevent">CloudEvent</option>
            <option value="eventbridge">EventBridge</option>
          </select>
        </div>
      </div>
      <label htmlFor="sub-pattern" className="row">
        Event pattern (JSON; empty for every event)
      </label>
      <textarea
        id="sub-pattern"
        className="json"
        spellCheck={false}
        value={pattern}
        placeholder='{"source": ["orders"]}'
        onChange={(e) => setPattern(e.target.value)}
      />
      <div className="row wrap">
        <button type="submit" className="primary" disabled={sub.isPending || !fn}>
          {sub.isPending ? 'Subscribing…' : 'Subscribe'}
        </button>
      </div>
      {local ? <ErrorBox error={local} title="Cannot subscribe" /> : null}
      {sub.isError ? <ErrorBox error={sub.error} title="Could not subscribe" /> : null}
    </form>
  );
}
