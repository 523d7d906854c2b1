/**
 * `nimbus logs NAME [--tail]` / `nimbus logs -f NAME -t` (Serverless' spelling): function logs,
 * CloudWatch style. Inside a service folder NAME may be the function's key in its serverless.yml.
 * Filters (`--level`, `--filter`, `--since`/`--until`) are applied by the server, to the first
 * page and to the followed lines alike.
 */
import type { Command } from 'commander';
import type { LogLine } from '../../core/types.ts';
import { formatLogLine } from '../../observability/logs.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionArg, type ServiceOpts, withService } from '../names.ts';

interface LogsOpts extends GlobalOpts, ServiceOpts {
  function?: string;
  tail?: boolean;
  follow?: boolean;
  requestId?: string;
  version?: string;
  since?: string;
  startTime?: string;
  until?: string;
  filter: string[];
  level?: string;
  limit?: string;
}

interface Line {
  seq: number;
  ts: number;
  requestId: string;
  stream: 'stdout' | 'stderr' | 'platform';
  message: string;
  level?: LogLine['level'];
}

/** `10m`, `2h`, `30s`, `1d` (that long ago), an ISO date or epoch ms → epoch ms. */
export function parseSince(s: string, now = Date.now(), flag = '--since'): number {
  const m = /^(\d+)(s|m|h|d)$/.exec(s);
  if (m) return now - Number(m[1]) * { s: 1e3, m: 6e4, h: 36e5, d: 864e5 }[m[2] as 's' | 'm' | 'h' | 'd'];
  if (/^\d+$/.test(s)) return Number(s);
  const t = Date.parse(s);
  if (Number.isNaN(t))
    throw CliErrors.BAD_ARGUMENT({
      reason: `${flag} ${s}: use 10m, 2h, an ISO date or epoch ms`,
      command: 'logs',
    });
  return t;
}

const collect = (v: string, prev: string[]) => [...prev, v];

export function register(program: Command): void {
  withGlobals(
    withService(
      program
        .command('logs [name]')
        .description(
          "show function logs: START/END/REPORT and your output (in a service folder, NAME may be the function's key in serverless.yml)",
        )
        .option('-f, --function <name>', 'the function (instead of the NAME argument)')
        .option('-t, --tail', 'keep streaming new lines')
        .option('--follow', 'same as --tail')
        .option('--request-id <id>', 'only this invocation')
        .option('--version <v>', 'only this version')
        .option('--since <when>', '10m, 2h, ISO date or epoch ms')
        .option('--startTime <when>', 'same as --since')
        .option('--until <when>', 'only lines before this time (10m = ten minutes ago, ISO date or epoch ms)')
        .option(
          '--level <level>',
          'only lines at or above this level: trace, debug, info, warn, error, fatal',
        )
        .option(
          '--filter <expr>',
          'repeatable: key=value, key!=value, key>n, key>=n, key<n, key<=n on JSON lines (key: a dotted path, e.g. user.id; level=error also matches the line level); without an operator, case-insensitive text',
          collect,
          [],
        )
        .option('--limit <n>', 'at most n lines (default 1000, newest)'),
    ),
  ).action(async (positional: string | undefined, o: LogsOpts) => {
    const name = await functionArg(positional, o, 'logs');
    const client = clientFor(o);
    const print = (l: Line) => {
      process.stdout.write(o.json ? `${JSON.stringify(l)}\n` : `${formatLogLine(l)}\n`);
    };
    const base = new URLSearchParams();
    if (o.requestId) base.set('requestId', o.requestId);
    if (o.version) base.set('version', o.version);
    if (o.level) base.set('level', o.level);
    for (const f of o.filter) base.append('filter', f);
    if (o.until) base.set('until', String(parseSince(o.until, Date.now(), '--until')));
    const since = o.since ?? o.startTime;
    if (since) base.set('since', String(parseSince(since)));
    const qs = new URLSearchParams(base);
    qs.set('limit', o.limit ?? '1000');
    qs.set('tail', '1');
    const first = await client.call<{ lines: Line[]; nextSeq: number }>(
      'GET',
      `/v1/functions/${encodeURIComponent(name)}/logs?${qs}`,
    );
    for (const l of first.lines) print(l);
    if (!o.tail && !o.follow) return;
    let after = first.nextSeq;
    const ac = new AbortController();
    process.once('SIGINT', () => ac.abort());
    while (!ac.signal.aborted) {
      const fq = new URLSearchParams(base);
      fq.delete('since');
      fq.set('follow', '1');
      fq.set('afterSeq', String(after));
      try {
        const r = await client.raw(
          'GET',
          `/v1/functions/${encodeURIComponent(name)}/logs?${fq}`,
          undefined,
          ac.signal,
        );
        if (!r.ok || !r.body) throw new Error(`HTTP ${r.status}`);
        let buf = '';
        for await (const chunk of r.body) {
          buf += Buffer.from(chunk as Uint8Array).toString('utf8');
          let i = buf.indexOf('\n');
          while (i >= 0) {
            const line = buf.slice(0, i);
            buf = buf.slice(i + 1);
            if (line) {
              const l = JSON.parse(line) as Line;
              after = Math.max(after, l.seq);
              print(l);
            }
            i = buf.indexOf('\n');
          }
        }
      } catch (e) {
        if (ac.signal.aborted) break;
        // Connection dropped: reconnect from the cursor after a short pause.
        void e;
        await new Promise((r) => setTimeout(r, 1000));
      }
    }
  });
}
