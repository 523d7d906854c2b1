/**
 * `nimbus top`: a live view of the tenant's functions (req/s, errors/s, throttles/s, p50/p99,
 * running invocations, instances, cost rate), refreshed every second from `GET /v1/metrics/live`.
 * Keys sort (`r` req/s, `e` errors, `p` p99, `n` name) and `q` quits. Plain ANSI on the alternate
 * screen; piped (not a TTY), `--once` or `--json`, it prints one snapshot and exits.
 */
import type { Command } from 'commander';
import type { LiveRow } from '../../observability/windows.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { printJson } from '../output.ts';

export type LiveFunction = LiveRow;

export interface LiveSnapshot {
  readonly at: number;
  readonly windowSec: number;
  readonly totals: {
    readonly functions: number;
    readonly invocationsPerSec: number;
    readonly errorsPerSec: number;
    readonly throttlesPerSec: number;
    readonly costUsdPerSec: number;
    readonly inflight: number;
    readonly instances: number;
  };
  readonly functions: readonly LiveFunction[];
}

export type SortKey = 'r' | 'e' | 'p' | 'n';
const SORT_NAMES: Record<SortKey, string> = { r: 'req/s', e: 'errors/s', p: 'p99', n: 'name' };

const rate = (v: number) => (v === 0 ? '0' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0));
const ms = (v: number | null) =>
  v === null ? '-' : v < 10 ? v.toFixed(2) : v < 1000 ? v.toFixed(1) : v.toFixed(0);
/** Cost per hour: easier to read than per second. */
const cost = (perSec: number) => (perSec > 0 ? `$${(perSec * 3600).toFixed(4)}/h` : '-');

export function sortFunctions(fns: readonly LiveFunction[], key: SortKey): LiveFunction[] {
  const by: Record<SortKey, (a: LiveFunction, b: LiveFunction) => number> = {
    r: (a, b) => b.invocationsPerSec - a.invocationsPerSec,
    e: (a, b) => b.errorsPerSec - a.errorsPerSec,
    p: (a, b) => (b.p99Ms ?? -1) - (a.p99Ms ?? -1),
    n: () => 0,
  };
  return [...fns].sort((a, b) => by[key](a, b) || a.function.localeCompare(b.function));
}

/** The screen as lines (no escape codes but the reverse-video header row when `ansi`). */
export function renderTop(
  s: LiveSnapshot,
  o: { sort: SortKey; width: number; height: number; endpoint: string; ansi: boolean },
): string[] {
  const t = s.totals;
  const time = new Date(s.at).toISOString().slice(11, 19);
  const lines = [
    `nimbus top — ${o.endpoint} — ${time} UTC — last ${s.windowSec}s — sort: ${SORT_NAMES[o.sort]}`,
    `functions ${t.functions}  req/s ${rate(t.invocationsPerSec)}  errors/s ${rate(t.errorsPerSec)}  ` +
      `throttles/s ${rate(t.throttlesPerSec)}  running ${t.inflight}  instances ${t.instances}  cost ${cost(t.costUsdPerSec)}`,
    '',
  ];
  const cols = ['REQ/S', 'ERR/S', 'THR/S', 'P50 MS', 'P99 MS', 'RUN', 'INST', 'COST'];
  const widths = [8, 7, 7, 8, 8, 5, 5, 12];
  const nameWidth = Math.max(8, Math.min(40, o.width - widths.reduce((a, w) => a + w + 1, 0) - 1));
  const row = (name: string, cells: string[]) =>
    `${name.slice(0, nameWidth).padEnd(nameWidth)} ${cells.map((c, i) => c.padStart(widths[i]!)).join(' ')}`;
  const head = row('FUNCTION', cols);
  lines.push(o.ansi ? `\x1b[7m${head.padEnd(o.width)}\x1b[0m` : head);
  const rows = sortFunctions(s.functions, o.sort);
  const room = Math.max(1, o.height - lines.length - 2);
  for (const f of rows.slice(0, room))
    lines.push(
      row(f.function, [
        rate(f.invocationsPerSec),
        rate(f.errorsPerSec),
        rate(f.throttlesPerSec),
        ms(f.p50Ms),
        ms(f.p99Ms),
        String(f.inflight),
        String(f.warm + f.busy),
        cost(f.costUsdPerSec),
      ]),
    );
  if (rows.length > room) lines.push(`… ${rows.length - room} more`);
  if (rows.length === 0) lines.push('(no functions have run or hold instances)');
  return lines;
}

export function register(program: Command): void {
  withGlobals(
    program
      .command('top')
      .description('live view of your functions: req/s, errors, p50/p99, instances (r/e/p/n sort, q quits)')
      .option('--window <sec>', 'average over the last n seconds (1–10)', '5')
      .option('--interval <ms>', 'refresh interval', '1000')
      .option('--sort <key>', 'r (req/s), e (errors), p (p99) or n (name)', 'r')
      .option('--once', 'print one snapshot and exit (the default when not a terminal)'),
  ).action(async (o: GlobalOpts & { window: string; interval: string; sort: string; once?: boolean }) => {
    const client = clientFor(o);
    const window = Number(o.window);
    const interval = Number(o.interval);
    if (!Number.isInteger(window) || window < 1 || window > 10)
      throw CliErrors.BAD_ARGUMENT({ command: 'top', reason: '--window must be 1 to 10 seconds' });
    if (!Number.isFinite(interval) || interval < 100)
      throw CliErrors.BAD_ARGUMENT({ command: 'top', reason: '--interval must be at least 100 ms' });
    if (!['r', 'e', 'p', 'n'].includes(o.sort))
      throw CliErrors.BAD_ARGUMENT({ command: 'top', reason: '--sort must be r, e, p or n' });
    let sort = o.sort as SortKey;
    const fetchSnapshot = () => client.call<LiveSnapshot>('GET', `/v1/metrics/live?window=${window}`);
    const out = process.stdout;
    const once = o.once || o.json || !out.isTTY || !process.stdin.isTTY;
    if (once) {
      const s = await fetchSnapshot();
      if (o.json) return printJson(s);
      out.write(
        `${renderTop(s, { sort, width: 120, height: 1000, endpoint: client.creds.endpoint, ansi: false }).join('\n')}\n`,
      );
      return;
    }
    await live(out, sort, client.creds.endpoint, interval, fetchSnapshot, (k) => {
      sort = k;
    });
  });
}

/** The interactive loop: alternate screen, raw keys, a redraw per refresh; resolves on `q`. */
async function live(
  out: NodeJS.WriteStream,
  initial: SortKey,
  endpoint: string,
  interval: number,
  fetchSnapshot: () => Promise<LiveSnapshot>,
  onSort: (k: SortKey) => void,
): Promise<void> {
  let sort = initial;
  let last: LiveSnapshot | undefined;
  let error: string | undefined;
  let timer: NodeJS.Timeout | undefined;
  const stdin = process.stdin;
  const draw = () => {
    const width = out.columns ?? 100;
    const height = out.rows ?? 30;
    const lines = last
      ? renderTop(last, { sort, width, height: height - 1, endpoint, ansi: true })
      : [`nimbus top — ${endpoint} — connecting…`];
    if (error) lines.push('', `\x1b[31m${error}\x1b[0m`);
    const footer = '\x1b[2mr req/s  e errors  p p99  n name  q quit\x1b[0m';
    out.write(
      `\x1b[H\x1b[2J${lines.map((l) => l.slice(0, width + 12)).join('\n')}\x1b[${height};1H${footer}`,
    );
  };
  const refresh = async () => {
    try {
      last = await fetchSnapshot();
      error = undefined;
    } catch (e) {
      error = `refresh failed: ${(e as Error).message}`;
    }
    draw();
  };
  out.write('\x1b[?1049h\x1b[?25l');
  const restore = () => out.write('\x1b[?25h\x1b[?1049l');
  await new Promise<void>((resolve) => {
    const quit = () => {
      if (timer) clearTimeout(timer);
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onKey);
      out.off('resize', draw);
      restore();
      resolve();
    };
    const onKey = (b: Buffer) => {
      const k = b.toString('utf8');
      if (k === 'q' || k === '\u0003' || k === '\u001b') return quit();
      if (k === 'r' || k === 'e' || k === 'p' || k === 'n') {
        sort = k;
        onSort(k);
        draw();
      }
    };
    stdin.setRawMode(true);
    stdin.resume();
    stdin.on('data', onKey);
    out.on('resize', draw);
    const loop = async () => {
      await refresh();
      timer = setTimeout(loop, interval);
    };
    void loop();
  });
}
