/**
 * Deploying from the editor with progress: the body goes up through XMLHttpRequest (fetch
 * reports no upload progress), so the console can show packaging, upload, build and the result
 * as steps (the platform builds and stores in one request and answers with the timings).
 */
import type { Schema } from '../api/client.ts';
import { errorOf, networkError } from '../api/errors.ts';

export type DeployPhase = 'package' | 'upload' | 'build' | 'done' | 'failed';

export interface DeployProgress {
  readonly phase: DeployPhase;
  /** The zip's size in bytes, once packaged. */
  readonly zipBytes?: number;
  /** Request bytes sent and in all. */
  readonly sent?: number;
  readonly total?: number;
}

/** `PUT /v1/functions/{name}` (the typed client's route, sent by hand for its progress). */
export function putWithProgress(
  key: string,
  name: string,
  body: Schema<'DeployRequest'>,
  onProgress: (p: Pick<DeployProgress, 'phase' | 'sent' | 'total'>) => void,
): Promise<Schema<'DeployResult'>> {
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const x = new XMLHttpRequest();
    x.open('PUT', `/v1/functions/${encodeURIComponent(name)}`);
    x.setRequestHeader('authorization', `Bearer ${key}`);
    x.setRequestHeader('content-type', 'application/json');
    x.upload.onprogress = (e) =>
      onProgress({ phase: 'upload', sent: e.loaded, total: e.lengthComputable ? e.total : payload.length });
    // Every byte is up: the platform now builds and stores, then answers.
    x.upload.onload = () => onProgress({ phase: 'build', sent: payload.length, total: payload.length });
    x.onerror = () => reject(networkError(new Error('the upload failed')));
    x.onload = () => {
      if (x.status >= 200 && x.status < 300) {
        try {
          // The raw answer is taken as the document declares it (unchecked, like any JSON answer).
          resolve(JSON.parse(x.responseText) as Schema<'DeployResult'>);
        } catch (e) {
          reject(networkError(e));
        }
        return;
      }
      void errorOf(new Response(x.responseText, { status: x.status, statusText: x.statusText })).then(reject);
    };
    onProgress({ phase: 'upload', sent: 0, total: payload.length });
    x.send(payload);
  });
}
