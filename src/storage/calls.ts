/** Object access for functions (`context.nimbus.objects.get/put`), scoped to the caller's tenant. */
import type { CallerContext } from '../async/types.ts';
import type { Storage } from './service.ts';

/** Serves the `objects.*` context calls; returns undefined for any other op. */
export function objectCalls(storage: Storage, caller: CallerContext) {
  return (op: string, args: unknown): Promise<unknown> | undefined => {
    const a = (args ?? {}) as { bucket?: unknown; key?: unknown; body?: unknown; contentType?: unknown };
    if (op === 'objects.get')
      return storage.getObject(caller.tenant, String(a.bucket), String(a.key)).then((r) => ({
        body: Buffer.from(r.body).toString('base64'),
        contentType: r.object.contentType,
        metadata: r.object.metadata,
        size: r.object.size,
        etag: r.object.etag,
      }));
    if (op === 'objects.put')
      return storage
        .putObject(
          caller.tenant,
          String(a.bucket),
          String(a.key),
          Buffer.from(String(a.body ?? ''), 'base64'),
          {
            contentType: typeof a.contentType === 'string' ? a.contentType : undefined,
            metadata: {},
            sourceIp: `function:${caller.functionName}`,
          },
        )
        .then((o) => ({ etag: o.etag, size: o.size }));
    return undefined;
  };
}
