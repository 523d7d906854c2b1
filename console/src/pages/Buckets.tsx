/**
 * Buckets: the tenant's buckets (list, create) and one bucket's objects browsed by prefix, with
 * folders from the '/' delimiter; upload a file into the current folder, download, delete.
 */
import { useInfiniteQuery, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { type FormEvent, useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { downloadObject, objectPath, uploadObject } from '../buckets/objects.ts';
import { useSession } from '../session.tsx';
import { Empty, ErrorBox, formatTime, Loading, PageHeader } from '../ui.tsx';
import { Confirm } from '../workflows/Confirm.tsx';
import type { BucketView, ObjectPage, ObjectView } from '../workflows/types.ts';
import '../workflows/workflows.css';

export default function Buckets() {
  const name = useParams().name;
  return name ? <Bucket name={name} /> : <BucketList />;
}

function BucketList() {
  const { api } = useSession();
  const list = useQuery({
    queryKey: ['buckets'],
    queryFn: () => api<{ buckets: BucketView[] }>('GET', '/v1/buckets'),
  });
  return (
    <>
      <PageHeader title="Buckets" />
      <CreateBucket />
      {list.isPending ? (
        <Loading what="buckets" />
      ) : list.isError ? (
        <ErrorBox error={list.error} title="Could not list buckets" />
      ) : list.data.buckets.length === 0 ? (
        <Empty>
          <p>No buckets yet: create one above, or through the S3 API.</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Buckets">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {list.data.buckets.map((b) => (
                <tr key={b.name}>
                  <td>
                    <Link to={`/buckets/${encodeURIComponent(b.name)}`}>{b.name}</Link>
                  </td>
                  <td>{formatTime(b.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </>
  );
}

function CreateBucket() {
  const { api } = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const id = useId();
  const create = useMutation({
    mutationFn: (n: string) => api('PUT', `/v1/buckets/${encodeURIComponent(n)}`),
    onSuccess: async (_r, n) => {
      await queries.invalidateQueries({ queryKey: ['buckets'] });
      navigate(`/buckets/${encodeURIComponent(n)}`);
    },
  });
  const submit = (e: FormEvent) => {
    e.preventDefault();
    if (name.trim()) create.mutate(name.trim());
  };
  return (
    <section className="card" aria-labelledby={`${id}-h`}>
      <h2 id={`${id}-h`}>Create a bucket</h2>
      <form className="row wrap" onSubmit={submit}>
        <label htmlFor={id}>Bucket name</label>
        <input
          id={id}
          value={name}
          onChange={(e) => setName(e.target.value)}
          placeholder="my-bucket"
          autoComplete="off"
          required
        />
        <button type="submit" className="primary" disabled={create.isPending}>
          {create.isPending ? 'Creating…' : 'Create bucket'}
        </button>
      </form>
      <p className="muted small">3–63 characters: lowercase letters, digits, dots and hyphens.</p>
      {create.isError ? <ErrorBox error={create.error} title="Could not create the bucket" /> : null}
    </section>
  );
}

function formatBytes(n: number): string {
  if (n < 1024) return `${n} B`;
  if (n < 1024 * 1024) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(2)} GiB`;
}

function Bucket({ name }: { name: string }) {
  const { api, key: secret } = useSession();
  const queries = useQueryClient();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const prefix = search.get('prefix') ?? '';
  const fileRef = useRef<HTMLInputElement>(null);
  const uploadId = useId();
  const base = `/v1/buckets/${encodeURIComponent(name)}/objects?delimiter=%2F&limit=200&prefix=${encodeURIComponent(prefix)}`;
  const objects = useInfiniteQuery({
    queryKey: ['objects', name, prefix],
    queryFn: ({ pageParam }) =>
      api<ObjectPage>('GET', pageParam ? `${base}&after=${encodeURIComponent(pageParam)}` : base),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextAfter ?? undefined,
  });
  const refresh = () => queries.invalidateQueries({ queryKey: ['objects', name] });
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      for (const f of files) await uploadObject(secret, name, prefix + f.name, f);
      return files.length;
    },
    onSettled: async () => {
      if (fileRef.current) fileRef.current.value = '';
      await refresh();
    },
  });
  const removeBucket = useMutation({
    mutationFn: () => api('DELETE', `/v1/buckets/${encodeURIComponent(name)}`),
    onSuccess: async () => {
      await queries.invalidateQueries({ queryKey: ['buckets'] });
      navigate('/buckets');
    },
  });
  const go = (p: string) => setSearch(p ? { prefix: p } : {});
  // Breadcrumbs: the bucket, then each folder of the prefix.
  const parts = prefix.split('/').filter(Boolean);
  const pages = objects.data?.pages ?? [];
  const prefixes = pages.flatMap((p) => p.prefixes);
  const items = pages.flatMap((p) => p.objects);
  return (
    <>
      <nav aria-label="Folder" className="crumbs">
        <Link to="/buckets">Buckets</Link>
        <span aria-hidden="true">/</span>
        <Link to={`/buckets/${encodeURIComponent(name)}`}>{name}</Link>
        {parts.map((p, i) => (
          <span key={parts.slice(0, i + 1).join('/')} className="crumbs">
            <span aria-hidden="true">/</span>
            <Link to={`?prefix=${encodeURIComponent(`${parts.slice(0, i + 1).join('/')}/`)}`}>{p}</Link>
          </span>
        ))}
      </nav>
      <PageHeader title={name}>
        <Confirm
          label="Delete bucket"
          question={`Delete the bucket ${name}? It must be empty.`}
          yes="Yes, delete"
          onConfirm={() => removeBucket.mutate()}
          pending={removeBucket.isPending}
          error={removeBucket.error}
        />
      </PageHeader>
      <section className="card" aria-labelledby={`${uploadId}-h`}>
        <h2 id={`${uploadId}-h`}>Upload</h2>
        <div className="row wrap">
          <label htmlFor={uploadId}>
            Upload files to {prefix ? <code className="code">{prefix}</code> : 'the top'}
          </label>
          <input
            id={uploadId}
            ref={fileRef}
            type="file"
            multiple
            disabled={upload.isPending}
            onChange={(e) => {
              const files = [...(e.target.files ?? [])];
              if (files.length > 0) upload.mutate(files);
            }}
          />
        </div>
        <p role="status" className="muted small">
          {upload.isPending
            ? 'Uploading…'
            : upload.isSuccess
              ? `Uploaded ${upload.data} file${upload.data === 1 ? '' : 's'}.`
              : ''}
        </p>
        {upload.isError ? <ErrorBox error={upload.error} title="Upload failed" /> : null}
      </section>
      {objects.isPending ? (
        <Loading what="objects" />
      ) : objects.isError ? (
        <ErrorBox error={objects.error} title="Could not list the objects" />
      ) : prefixes.length === 0 && items.length === 0 ? (
        <Empty>
          <p>{prefix ? `Nothing under ${prefix}.` : 'This bucket is empty: upload a file above.'}</p>
        </Empty>
      ) : (
        <div className="table-wrap">
          <table className="table" aria-label="Objects">
            <thead>
              <tr>
                <th scope="col">Name</th>
                <th scope="col" className="num">
                  Size
                </th>
                <th scope="col">Type</th>
                <th scope="col">Last modified</th>
                <th scope="col">Actions</th>
              </tr>
            </thead>
            <tbody>
              {prefix ? (
                <tr>
                  <td colSpan={5}>
                    <button
                      type="button"
                      className="linkish"
                      onClick={() => go(parts.length > 1 ? `${parts.slice(0, -1).join('/')}/` : '')}
                    >
                      ↑ Up one folder
                    </button>
                  </td>
                </tr>
              ) : null}
              {prefixes.map((p) => (
                <tr key={p}>
                  <td className="cell-wrap">
                    <Link to={`?prefix=${encodeURIComponent(p)}`}>
                      <span aria-hidden="true">📁 </span>
                      {p.slice(prefix.length)}
                    </Link>
                  </td>
                  <td className="num">–</td>
                  <td>folder</td>
                  <td>–</td>
                  <td />
                </tr>
              ))}
              {items.map((o) => (
                <ObjectRow key={o.key} bucket={name} prefix={prefix} o={o} onDeleted={refresh} />
              ))}
            </tbody>
          </table>
          {objects.hasNextPage ? (
            <p>
              <button
                type="button"
                onClick={() => objects.fetchNextPage()}
                disabled={objects.isFetchingNextPage}
              >
                {objects.isFetchingNextPage ? 'Loading…' : 'Load more'}
              </button>
            </p>
          ) : null}
        </div>
      )}
    </>
  );
}

function ObjectRow({
  bucket,
  prefix,
  o,
  onDeleted,
}: {
  bucket: string;
  prefix: string;
  o: ObjectView;
  onDeleted: () => Promise<unknown>;
}) {
  const { api, key: secret } = useSession();
  const download = useMutation({ mutationFn: () => downloadObject(secret, bucket, o.key) });
  const del = useMutation({
    mutationFn: () => api('DELETE', objectPath(bucket, o.key)),
    onSuccess: onDeleted,
  });
  const label = o.key.slice(prefix.length);
  return (
    <tr>
      <td className="cell-wrap">{label}</td>
      <td className="num">{formatBytes(o.size)}</td>
      <td>{o.contentType}</td>
      <td>{formatTime(o.lastModified)}</td>
      <td>
        <div className="row wrap">
          <button
            type="button"
            onClick={() => download.mutate()}
            disabled={download.isPending}
            aria-label={`Download ${label}`}
          >
            Download
          </button>
          <Confirm
            label="Delete"
            question={`Delete ${label}?`}
            yes="Yes, delete"
            onConfirm={() => del.mutate()}
            pending={del.isPending}
            error={del.error}
          />
        </div>
        {download.isError ? <ErrorBox error={download.error} title="Download failed" /> : null}
      </td>
    </tr>
  );
}
