/**
 * A function's code: the archive it was deployed from (`GET /v1/functions/:name/source`), its
 * text files in the editor, and a deploy of the edited archive with its progress as steps.
 * A function whose source the platform did not keep starts from the runtime's template.
 */
import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type ReactNode, useContext, useMemo, useRef, useState } from 'react';
import type { Schema } from '../api/client.ts';
import { request } from '../api/raw.ts';
import { FUNCTIONS, functionKey } from '../components/query.ts';
import { ErrorBox, Loading } from '../components/states.tsx';
import { formatMs } from '../components/text.ts';
import { Editor } from '../Editor.tsx';
import { Can } from '../permissions.ts';
import { useSession } from '../session.tsx';
import { TEMPLATES } from '../templates.ts';
import { DarkContext } from '../theme.ts';
import { base64, textOf, untarFiles, unzipFiles, zipFiles } from '../zip.ts';
import { type DeployProgress, putWithProgress } from './deploy.ts';
import './code.css';

type FunctionView = Schema<'FunctionView'>;
type Source = { kind: 'zip' | 'tar'; files: Record<string, Uint8Array> };

async function fetchSource(key: string, name: string): Promise<Source> {
  const r = await request(key, 'GET', `/v1/functions/${encodeURIComponent(name)}/source`);
  const bytes = new Uint8Array(await r.arrayBuffer());
  return (r.headers.get('content-type') ?? '').startsWith('application/zip')
    ? { kind: 'zip', files: unzipFiles(bytes) }
    : { kind: 'tar', files: await untarFiles(bytes) };
}

/** The file the handler names (`src/app.handler` → `src/app.*`), else the first text file. */
function entryFile(handler: string, texts: readonly string[]): string | undefined {
  const base = handler.slice(0, handler.lastIndexOf('.'));
  return texts.find((p) => p.replace(/\.[^./]+$/, '') === base) ?? texts[0];
}

function languageOf(file: string) {
  return /\.(m?js|cjs|ts|mts|jsx|tsx)$/.test(file)
    ? 'javascript'
    : file.endsWith('.json')
      ? 'json'
      : file.endsWith('.py')
        ? 'python'
        : 'text';
}

const kib = (n: number) => (n < 1024 ? `${n} B` : `${(n / 1024).toFixed(1)} KiB`);

/** Deploys the workspace's files; owned by the panel, so its progress outlives the reload after it. */
function useDeploy(f: FunctionView) {
  const { key } = useSession();
  const queries = useQueryClient();
  const [progress, setProgress] = useState<DeployProgress>();
  const deploy = useMutation({
    mutationFn: async (files: Record<string, string | Uint8Array>) => {
      setProgress({ phase: 'package' });
      const zip = zipFiles(files);
      setProgress({ phase: 'upload', zipBytes: zip.length });
      return putWithProgress(
        key,
        f.name,
        {
          runtime: f.runtime,
          handler: f.handler,
          memoryMb: f.memoryMb,
          timeoutSec: f.timeoutSec,
          code: { zipBase64: base64(zip) },
        },
        (p) => setProgress((old) => ({ ...old, ...p })),
      );
    },
    onSuccess: async () => {
      setProgress((old) => ({ ...old, phase: 'done' }));
      await queries.invalidateQueries({ queryKey: functionKey(f.name) });
      await queries.invalidateQueries({ queryKey: FUNCTIONS });
    },
    onError: () => setProgress((old) => ({ ...old, phase: 'failed' })),
  });
  return { deploy, progress };
}
type Deploy = ReturnType<typeof useDeploy>['deploy'];

export function CodePanel({ f }: { f: FunctionView }) {
  const { key } = useSession();
  const { deploy, progress } = useDeploy(f);
  const opened = useRef<string>(undefined);
  const source = useQuery({
    queryKey: ['source', f.name, f.sourceSha256],
    queryFn: () => fetchSource(key, f.name),
    enabled: !!f.sourceSha256,
    staleTime: Number.POSITIVE_INFINITY,
    // After a deploy the editor stays until the new source is in (no flash of "Loading").
    placeholderData: keepPreviousData,
  });
  const template = TEMPLATES.find((t) => t.runtime === f.runtime) ?? TEMPLATES[0]!;
  // The template as files: one object per template (the workspace memoizes on its files).
  const fromTemplate = useMemo(
    () => ({ [template.file]: new TextEncoder().encode(template.source) }),
    [template],
  );
  if (f.sourceSha256 && source.isPending)
    return (
      <Section>
        <Loading what="the source" />
      </Section>
    );
  if (source.isError)
    return (
      <Section>
        <ErrorBox error={source.error} title="Could not load the source" />
      </Section>
    );
  const files = source.data?.files ?? fromTemplate;
  return (
    <Section>
      {source.data?.kind === 'tar' ? (
        <p className="notice">
          {f.name} was deployed from a tar archive: deploying from here uploads its files as a zip.
        </p>
      ) : null}
      {source.data ? null : (
        <p className="notice">
          The platform did not keep the source of {f.name} (it was deployed from a directory, from an archive
          above 1 MiB, or before sources were kept). The editor starts from the {template.label} template;
          deploying replaces the function's code.
        </p>
      )}
      {/* Keyed by the loaded source: a deploy elsewhere (or this one) reloads the files. */}
      <Workspace
        key={source.data ? source.dataUpdatedAt : 'template'}
        f={f}
        files={files}
        deploy={deploy}
        progress={progress}
        opened={opened}
      />
    </Section>
  );
}

function Section({ children }: { children: ReactNode }) {
  return (
    <section className="card panel" aria-labelledby="code-title">
      <h2 id="code-title">Code</h2>
      {children}
    </section>
  );
}

function Workspace({
  f,
  files,
  deploy,
  progress,
  opened,
}: {
  f: FunctionView;
  opened: { current: string | undefined };
  files: Record<string, Uint8Array>;
  deploy: Deploy;
  progress: DeployProgress | undefined;
}) {
  const dark = useContext(DarkContext);
  const texts = useMemo(
    () =>
      Object.keys(files)
        .filter((p) => textOf(files[p]!) !== undefined)
        .sort(),
    [files],
  );
  const others = Object.keys(files).length - texts.length;
  // The file open before a reload (a deploy) stays open.
  const [current, setCurrent] = useState(() =>
    opened.current && texts.includes(opened.current) ? opened.current : (entryFile(f.handler, texts) ?? ''),
  );
  opened.current = current;
  const [edits, setEdits] = useState<Record<string, string>>({});
  const text = edits[current] ?? textOf(files[current] ?? new Uint8Array()) ?? '';
  const changed = Object.keys(edits).filter((p) => edits[p] !== textOf(files[p]!));

  return (
    <>
      <div className="row wrap code-files">
        {texts.length > 1 ? (
          <>
            <label htmlFor="code-file">File</label>
            <select id="code-file" value={current} onChange={(e) => setCurrent(e.target.value)}>
              {texts.map((p) => (
                <option key={p} value={p}>
                  {p}
                  {changed.includes(p) ? ' (edited)' : ''}
                </option>
              ))}
            </select>
          </>
        ) : (
          <code>{current}</code>
        )}
        <span className="muted small">
          handler <code>{f.handler}</code>
          {others > 0 ? ` · ${others} other file${others > 1 ? 's' : ''} kept as they are` : ''}
        </span>
      </div>
      <Editor
        value={text}
        onChange={(v) => setEdits((e) => ({ ...e, [current]: v }))}
        language={languageOf(current)}
        label={`Source of ${current}`}
        dark={dark}
      />
      <div className="row">
        <Can action="lambda:CreateFunction">
          <button
            type="button"
            className="primary"
            onClick={() => deploy.mutate({ ...files, ...edits })}
            disabled={deploy.isPending}
          >
            {deploy.isPending ? 'Deploying…' : 'Deploy'}
          </button>
        </Can>
        <span className="muted small">
          {changed.length === 0
            ? 'No changes'
            : `${changed.length} file${changed.length > 1 ? 's' : ''} edited`}
        </span>
      </div>
      {progress ? <Steps progress={progress} answer={deploy.data} /> : null}
      {deploy.isSuccess && deploy.data.warnings.length > 0 ? (
        <ul className="warnings">
          {deploy.data.warnings.map((w) => (
            <li key={w}>{w}</li>
          ))}
        </ul>
      ) : null}
      {deploy.isError ? <ErrorBox error={deploy.error} title="Deploy failed" /> : null}
    </>
  );
}

const ORDER = ['package', 'upload', 'build', 'done'] as const;

/** Packaged → uploaded → built and stored → live, each step done, running, waiting or failed. */
function Steps({
  progress,
  answer,
}: {
  progress: DeployProgress;
  answer: Schema<'DeployResult'> | undefined;
}) {
  const at = progress.phase === 'failed' ? -1 : ORDER.indexOf(progress.phase);
  const state = (i: number) =>
    progress.phase === 'failed'
      ? 'waiting'
      : i < at || progress.phase === 'done'
        ? 'done'
        : i === at
          ? 'running'
          : 'waiting';
  const pct =
    progress.sent !== undefined && progress.total ? Math.round((100 * progress.sent) / progress.total) : 0;
  const t = answer?.timings;
  const labels = [
    `Packaged${progress.zipBytes !== undefined ? ` · ${kib(progress.zipBytes)} zip` : ''}`,
    `Uploaded${at === 1 ? ` · ${pct} %` : ''}`,
    `Built and stored${t ? ` · build ${formatMs(t.buildMs)}, store ${formatMs(t.storeMs)}` : ''}`,
    answer
      ? answer.unchanged
        ? 'Unchanged: the same code was already deployed'
        : `Live in ${formatMs(answer.timings.totalMs)}`
      : 'Live',
  ];
  return (
    <ol className="deploy-steps" aria-label="Deploy progress" aria-live="polite">
      {labels.map((l, i) => (
        <li key={ORDER[i]} data-state={state(i)}>
          <span className="step-mark" aria-hidden="true" />
          {l}
          <span className="sr-only"> ({state(i)})</span>
        </li>
      ))}
      {progress.phase === 'failed' ? <li data-state="failed">Failed: see below</li> : null}
    </ol>
  );
}
