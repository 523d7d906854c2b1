/**
 * Buckets: the tenant's buckets (list, create) and one bucket's objects browsed by prefix, with
 * folders from the '/' delimiter; upload a file into the current folder, download, delete.
 */
import { type QueryKey, useInfiniteQuery, useMutation, useQueryClient } from '@tanstack/react-query';
import { useId, useRef, useState } from 'react';
import { Link, useNavigate, useParams, useSearchParams } from 'react-router';
import { ok, type Schema } from '../api/client.ts';
import { downloadObject, uploadObject } from '../buckets/objects.ts';
import { DeleteButton } from '../components/ConfirmButton.tsx';
import { useChange } from '../components/change.ts';
import { ChangeForm, TextField } from '../components/form.tsx';
import { useGet } from '../components/query.ts';
import { ErrorBox, PageHeader, QueryState } from '../components/states.tsx';
import { Table } from '../components/Table.tsx';
import { formatBytes, formatTime } from '../components/text.ts';
import { Can, PermissionScope } from '../permissions.ts';
import { useSession } from '../session.tsx';

const BUCKETS = ['buckets'] as const;

export default function Buckets() {
  const name = useParams().name;
  return name ? (
    <PermissionScope resource={{ bucket: name }}>
      <Bucket name={name} />
    </PermissionScope>
  ) : (
    <BucketList />
  );
}

function BucketList() {
  const list = useGet(BUCKETS, (c) => c.GET('/v1/buckets'));
  return (
    <>
      <PageHeader title="Buckets" />
      <Can action="s3:CreateBucket">
        <CreateBucket />
      </Can>
      <QueryState
        query={list}
        what="buckets"
        items={(d) => d.buckets}
        empty="No buckets yet: create one above, or through the S3 API."
      >
        {(buckets) => (
          <Table label="Buckets" columns={['Name', 'Created']}>
            {buckets.map((b) => (
              <tr key={b.name}>
                <td>
                  <Link to={`/buckets/${encodeURIComponent(b.name)}`}>{b.name}</Link>
                </td>
                <td>{formatTime(b.createdAt)}</td>
              </tr>
            ))}
          </Table>
        )}
      </QueryState>
    </>
  );
}

function CreateBucket() {
  const { client } = useSession();
  const navigate = useNavigate();
  const [name, setName] = useState('');
  const create = useChange({
    run: (n: string) => ok(client.PUT('/v1/buckets/{bucket}', { params: { path: { bucket: n } } })),
    invalidate: [BUCKETS],
    onDone: (_r, n) => navigate(`/buckets/${encodeURIComponent(n)}`),
  });
  return (
    <ChangeForm
      title="Create a bucket"
      change={create}
      failed="Could not create the bucket"
      submit="Create bucket"
      busy="Creating…"
      onSubmit={() => {
        if (name.trim()) create.mutate(name.trim());
      }}
    >
      <TextField
        id="bucket-name"
        label="Bucket name"
        value={name}
        onChange={setName}
        placeholder="my-bucket"
        autoComplete="off"
        required
      />
      <p className="muted small">3–63 characters: lowercase letters, digits, dots and hyphens.</p>
    </ChangeForm>
  );
}

function Bucket({ name }: { name: string }) {
  const { client, key: secret } = useSession();
  const navigate = useNavigate();
  const [search, setSearch] = useSearchParams();
  const prefix = search.get('prefix') ?? '';
  const fileRef = useRef<HTMLInputElement>(null);
  const uploadId = useId();
  const objects = useInfiniteQuery({
    queryKey: ['objects', name, prefix],
    queryFn: ({ pageParam }) =>
      ok(
        client.GET('/v1/buckets/{bucket}/objects', {
          params: {
            path: { bucket: name },
            query: { delimiter: '/', limit: 200, prefix, ...(pageParam ? { after: pageParam } : {}) },
          },
        }),
      ),
    initialPageParam: '',
    getNextPageParam: (last) => last.nextAfter ?? undefined,
  });
  const objectsKey = ['objects', name] as const;
  const queries = useQueryClient();
  const upload = useMutation({
    mutationFn: async (files: File[]) => {
      for (const f of files) await uploadObject(secret, name, prefix + f.name, f);
      return files.length;
    },
    // Some files may have gone up before one failed: the listing is refreshed either way.
    onSettled: async () => {
      if (fileRef.current) fileRef.current.value = '';
      await queries.invalidateQueries({ queryKey: objectsKey });
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
        <Can action="s3:DeleteBucket">
          <DeleteButton
            label="Delete bucket"
            question={`Delete the bucket ${name}? It must be empty.`}
            call={(c) => c.DELETE('/v1/buckets/{bucket}', { params: { path: { bucket: name } } })}
            invalidate={[BUCKETS]}
            onDone={() => navigate('/buckets')}
          />
        </Can>
      </PageHeader>
      <Can action="s3:PutObject">
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
      </Can>
      <QueryState
        query={objects}
        what="objects"
        failed="Could not list the objects"
        items={() => [...prefixes, ...items]}
        empty={prefix ? `Nothing under ${prefix}.` : 'This bucket is empty: upload a file above.'}
      >
        {() => (
          <Table
            label="Objects"
            columns={['Name', { label: 'Size', num: true }, 'Type', 'Last modified', 'Actions']}
          >
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
              <ObjectRow key={o.key} bucket={name} prefix={prefix} o={o} invalidate={objectsKey} />
            ))}
          </Table>
        )}
      </QueryState>
      {objects.hasNextPage ? (
        <p>
          <button type="button" onClick={() => objects.fetchNextPage()} disabled={objects.isFetchingNextPage}>
            {objects.isFetchingNextPage ? 'Loading…' : 'Load more'}
          </button>
        </p>
      ) : null}
    </>
  );
}

function ObjectRow({
  bucket,
  prefix,
  o,
  invalidate,
}: {
  bucket: string;
  prefix: string;
  o: Schema<'ObjectView'>;
  invalidate: QueryKey;
}) {
  const { key: secret } = useSession();
  const download = useMutation({ mutationFn: () => downloadObject(secret, bucket, o.key) });
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
          <Can action="s3:DeleteObject">
            <DeleteButton
              question={`Delete ${label}?`}
              call={(c) =>
                c.DELETE('/v1/buckets/{bucket}/object', {
                  params: { path: { bucket }, query: { key: o.key } },
                })
              }
              invalidate={[invalidate]}
            />
          </Can>
        </div>
        {download.isError ? <ErrorBox error={download.error} title="Download failed" /> : null}
      </td>
    </tr>
  );
}
