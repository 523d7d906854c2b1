/** JSON views of domain records for the REST API (docs/API.md). */
import type { AliasRecord, FunctionRecord, StoredLogLine, VersionRecord } from '../core/types.ts';

export interface ArnContext {
  readonly region: string;
  readonly accountId: string;
}

export const functionArn = (c: ArnContext, name: string, qualifier?: string): string =>
  `arn:aws:lambda:${c.region}:${c.accountId}:function:${name}${qualifier ? `:${qualifier}` : ''}`;

const iso = (ms: number) => new Date(ms).toISOString();

export function functionView(c: ArnContext, f: FunctionRecord) {
  return {
    name: f.name,
    arn: functionArn(c, f.name),
    runtime: f.config.runtime,
    handler: f.config.handler,
    memoryMb: f.config.memoryMb,
    timeoutSec: f.config.timeoutSec,
    environment: f.config.environment,
    description: f.config.description,
    reservedConcurrency: f.config.reservedConcurrency ?? null,
    async: f.config.async ?? null,
    scaling: f.config.scaling ?? null,
    isolation: f.config.isolation ?? 'process',
    egress: f.config.egress ?? { mode: 'internet' },
    role: f.config.role ?? null,
    secrets: f.config.secrets ?? [],
    codeSha256: f.code.sha256,
    codeSize: f.code.size,
    /** The sha256 of the archive it was deployed from, when kept (GET …/source); else null. */
    sourceSha256: f.code.source?.sha256 ?? null,
    revisionId: f.revisionId,
    createdAt: iso(f.createdAt),
    updatedAt: iso(f.updatedAt),
  };
}

export function versionView(c: ArnContext, v: VersionRecord) {
  return {
    version: v.version,
    arn: functionArn(c, v.functionName, v.version),
    runtime: v.config.runtime,
    handler: v.config.handler,
    memoryMb: v.config.memoryMb,
    timeoutSec: v.config.timeoutSec,
    isolation: v.config.isolation ?? 'process',
    egress: v.config.egress ?? { mode: 'internet' },
    description: v.description,
    codeSha256: v.code.sha256,
    createdAt: iso(v.createdAt),
  };
}

export function aliasView(c: ArnContext, a: AliasRecord) {
  return {
    name: a.name,
    arn: functionArn(c, a.functionName, a.name),
    functionVersion: a.functionVersion,
    additionalWeights: a.additionalWeights,
    description: a.description,
    revisionId: a.revisionId,
  };
}

export function logLineView(l: StoredLogLine) {
  return {
    seq: l.seq,
    ts: l.ts,
    requestId: l.requestId,
    version: l.version,
    stream: l.stream,
    message: l.message,
    instanceId: l.instanceId,
    level: l.level ?? null,
  };
}
