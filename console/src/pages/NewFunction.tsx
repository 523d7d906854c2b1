import { useMutation, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useState } from 'react';
import { useNavigate } from 'react-router';
import { ok } from '../api/client.ts';
import { ErrorBox, PageHeader } from '../components/states.tsx';
import { useSession } from '../session.tsx';
import { TEMPLATES } from '../templates.ts';
import { base64, zipFiles } from '../zip.ts';
import { saveEvent } from './test-events.ts';

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

export default function NewFunction() {
  const { client } = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const [templateId, setTemplateId] = useState(TEMPLATES[0]!.id);
  const [memoryMb, setMemoryMb] = useState(128);
  const template = TEMPLATES.find((t) => t.id === templateId) ?? TEMPLATES[0]!;
  const deploy = useMutation({
    mutationFn: () =>
      ok(
        client.PUT('/v1/functions/{name}', {
          params: { path: { name } },
          body: {
            runtime: template.runtime,
            handler: template.handler,
            memoryMb,
            code: { zipBase64: base64(zipFiles({ [template.file]: template.source })) },
          },
        }),
      ),
    onSuccess: async () => {
      saveEvent(name, 'hello', template.event);
      await queries.invalidateQueries({ queryKey: ['functions'] });
      navigate(`/functions/${encodeURIComponent(name)}`);
    },
  });
  const nameOk = NAME.test(name);

  function submit(e: FormEvent) {
    e.preventDefault();
    if (nameOk) deploy.mutate();
  }

  return (
    <>
      <PageHeader title="Create function" />
      <form className="card form" onSubmit={submit}>
        <label htmlFor="fn-name">Name</label>
        <input
          id="fn-name"
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="hello"
          aria-describedby="fn-name-help"
          required
        />
        <p id="fn-name-help" className="muted small">
          Letters, digits, - and _ (up to 64).
        </p>
        <fieldset>
          <legend>Template</legend>
          {TEMPLATES.map((t) => (
            <label key={t.id} className="radio">
              <input
                type="radio"
                name="template"
                value={t.id}
                checked={t.id === templateId}
                onChange={() => setTemplateId(t.id)}
              />
              {t.label}
            </label>
          ))}
        </fieldset>
        <label htmlFor="fn-memory">Memory (MB)</label>
        <select id="fn-memory" value={memoryMb} onChange={(e) => setMemoryMb(Number(e.target.value))}>
          {[128, 256, 512, 1024].map((m) => (
            <option key={m} value={m}>
              {m}
            </option>
          ))}
        </select>
        <figure className="preview-figure">
          <figcaption className="muted small">{template.file}</figcaption>
          <pre className="preview">{template.source}</pre>
        </figure>
        {deploy.isError ? <ErrorBox error={deploy.error} title="Deploy failed" /> : null}
        <button type="submit" className="primary" disabled={!nameOk || deploy.isPending}>
          {deploy.isPending ? 'Deploying…' : 'Create and deploy'}
        </button>
      </form>
    </>
  );
}
