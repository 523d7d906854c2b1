/** Topics and their subscriptions (function targets with an EventBridge pattern), and the tester. */
import { useState } from 'react';
import { ok, type Schema } from '../api/client.ts';
import { ApiError } from '../api/errors.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, FunctionField, JsonField, SelectField, TextField } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { ErrorBox, QueryState, SectionHeader } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { parseJson } from '../components/text.ts';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';
import { PatternTester, targetLabel } from './PatternTester.tsx';

const TOPICS = ['topics'] as const;
const subsKey = (topic: string) => ['subscriptions', topic] as const;
const VIEWS = [
  { value: 'cloudevent', label: 'CloudEvent' },
  { value: 'eventbridge', label: 'EventBridge' },
] as const;

export function TopicsTab() {
  const list = useGet(TOPICS, (c) => c.GET('/v1/topics'));
  const [picked, setPicked] = useState('');
  const topics = list.data?.topics ?? [];
  const topic = topics.some((t) => t.name === picked) ? picked : (topics[0]?.name ?? '');
  const subs = useGet(
    subsKey(topic),
    (c) => c.GET('/v1/topics/{topic}/subscriptions', { params: { path: { topic } } }),
    { enabled: topic !== '' },
  );

  return (
    <>
      <Can action="nimbus:PutTopic">
        <CreateTopic onCreated={setPicked} />
      </Can>
      <SectionHeader title="Topics" />
      <QueryState
        query={list}
        what="topics"
        items={(d) => d.topics}
        empty="No topics yet. Create one above, then subscribe functions to it."
      >
        {(rows) => (
          <Table label="Topics" columns={['Topic', 'Description', { label: 'Actions', hidden: true }]}>
            {rows.map((t) => (
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
                  <Can action="nimbus:DeleteTopic">
                    <DeleteButton
                      accessibleName={`Delete topic ${t.name}`}
                      question={`Delete ${t.name} and its subscriptions?`}
                      call={(c) => c.DELETE('/v1/topics/{topic}', { params: { path: { topic: t.name } } })}
                      invalidate={[TOPICS, subsKey(t.name)]}
                    />
                  </Can>
                </td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>

      {topic ? (
        <>
          <SectionHeader title={`Subscriptions of ${topic}`} />
          <Can action="nimbus:CreateSubscription">
            <Subscribe topic={topic} />
          </Can>
          <QueryState
            query={subs}
            what="subscriptions"
            items={(d) => d.subscriptions}
            empty={`Nothing subscribes to ${topic} yet: its events go nowhere.`}
          >
            {(rows) => <SubscriptionTable topic={topic} subs={rows} />}
          </QueryState>
        </>
      ) : null}
      <PatternTester topic={topic || undefined} subscriptions={subs.data?.subscriptions ?? []} />
    </>
  );
}

function SubscriptionTable({ topic, subs }: { topic: string; subs: readonly Schema<'SubscriptionView'>[] }) {
  return (
    <Table
      label={`Subscriptions of ${topic}`}
      columns={['Target', 'Pattern', 'View', 'Origin', { label: 'Actions', hidden: true }]}
    >
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
            <Can action="nimbus:DeleteSubscription">
              <DeleteButton
                accessibleName={`Delete subscription ${s.id}`}
                question={`Unsubscribe ${targetLabel(s.target)}?`}
                yes="Yes, unsubscribe"
                call={(c) => c.DELETE('/v1/subscriptions/{id}', { params: { path: { id: s.id } } })}
                invalidate={[subsKey(topic)]}
              />
            </Can>
          </td>
        </tr>
      ))}
    </Table>
  );
}

function CreateTopic({ onCreated }: { onCreated: (name: string) => void }) {
  const { client } = useSession();
  const [name, setName] = useState('');
  const [description, setDescription] = useState('');
  const create = useChange({
    run: (b: { name: string; description: string }) =>
      ok(
        client.PUT('/v1/topics/{topic}', {
          params: { path: { topic: b.name } },
          body: b.description ? { description: b.description } : {},
        }),
      ),
    invalidate: [TOPICS],
    onDone: (t) => {
      onCreated(t.name);
      setName('');
      setDescription('');
    },
  });
  return (
    <ChangeForm
      title="Create a topic"
      change={create}
      failed="Could not create the topic"
      submit="Create topic"
      busy="Creating…"
      disabled={!name.trim()}
      onSubmit={() => create.mutate({ name: name.trim(), description: description.trim() })}
    >
      <div className="inline-form">
        <TextField id="topic-name" label="Topic name" value={name} onChange={setName} required />
        <TextField
          id="topic-description"
          label="Description"
          grow
          value={description}
          onChange={setDescription}
        />
      </div>
    </ChangeForm>
  );
}

function Subscribe({ topic }: { topic: string }) {
  const { client } = useSession();
  const [fn, setFn] = useState('');
  const [pattern, setPattern] = useState('');
  const [view, setView] = useState<'cloudevent' | 'eventbridge'>('cloudevent');
  const [local, setLocal] = useState<ApiError | undefined>();
  const sub = useChange({
    run: (body: Schema<'SubscriptionRequest'>) =>
      ok(client.POST('/v1/topics/{topic}/subscriptions', { params: { path: { topic } }, body })),
    invalidate: [subsKey(topic)],
    onDone: () => setPattern(''),
  });
  const submit = () => {
    setLocal(undefined);
    let pat: Record<string, unknown> | undefined;
    if (pattern.trim()) {
      const hint = 'for example {"source": ["orders"]}';
      const p = parseJson(pattern, 'The pattern', hint);
      if (!p.ok) return setLocal(p.error);
      if (typeof p.value !== 'object' || p.value === null || Array.isArray(p.value))
        return setLocal(
          new ApiError({
            code: 'INVALID_JSON',
            message: 'the pattern must be a JSON object',
            status: 400,
            hint,
          }),
        );
      pat = p.value as Record<string, unknown>;
    }
    sub.mutate({ target: { function: fn }, ...(pat ? { pattern: pat } : {}), view });
  };
  return (
    <ChangeForm
      title={`Subscribe a function to ${topic}`}
      level={3}
      change={sub}
      failed="Could not subscribe"
      submit="Subscribe"
      busy="Subscribing…"
      disabled={!fn}
      onSubmit={submit}
    >
      <div className="inline-form">
        <FunctionField id="sub-fn" value={fn} onChange={setFn} />
        <SelectField id="sub-view" label="Event shape" value={view} onChange={setView} options={VIEWS} />
      </div>
      <JsonField
        id="sub-pattern"
        label="Event pattern (JSON; empty for every event)"
        value={pattern}
        onChange={setPattern}
        placeholder='{"source": ["orders"]}'
      />
      {local ? <ErrorBox error={local} title="Cannot subscribe" /> : null}
    </ChangeForm>
  );
}
