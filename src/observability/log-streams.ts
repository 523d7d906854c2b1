/**
 * Log stream names, as Lambda gives them: one stream per execution environment,
 * `YYYY/MM/DD/[<version>]<id>`. Nimbus's environment is an instance: the id part is the instance
 * id and the date is the UTC day of the instance's first line, so a name is stable (an instance's
 * first line never changes) and reversible (version and instance id read back from it).
 */
import type { StreamKey } from '../core/log-streams.ts';

const pad = (n: number, w = 2) => String(n).padStart(w, '0');

/** The UTC day of `ts` as Lambda's stream names write it: `2026/12/07`. */
export function streamDay(ts: number): string {
  const d = new Date(ts);
  return `${pad(d.getUTCFullYear(), 4)}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}`;
}

export function logStreamName(s: StreamKey & { readonly firstTs: number }): string {
  return `${streamDay(s.firstTs)}/[${s.version}]${s.instanceId}`;
}

const NAME = /^(\d{4}\/\d{2}\/\d{2})\/\[(\$LATEST|\d{1,10})\]([A-Za-z0-9_.-]{1,128})$/;

/** Version, instance id and day of a stream name; undefined if it is not one Nimbus gives. */
export function parseLogStreamName(name: string): (StreamKey & { readonly day: string }) | undefined {
  const m = NAME.exec(name);
  return m ? { day: m[1]!, version: m[2]!, instanceId: m[3]! } : undefined;
}
