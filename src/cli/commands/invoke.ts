/**
 * `nimbus invoke NAME` / `nimbus invoke -f NAME`: run a function synchronously and show result,
 * timing, cold/warm. Serverless' flags work: `-f/--function`, `-d/--data`, `-p/--path`,
 * `-l/--log`; inside a service folder NAME may be the function's key in its serverless.yml.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionArg, type ServiceOpts, withService } from '../names.ts';
import { dim, printJson, red } from '../output.ts';

interface InvokeOpts extends GlobalOpts, ServiceOpts {
  function?: string;
  data?: string;
  path?: string;
  file?: string;
  log?: boolean;
  qualifier?: string;
  logType?: string;
  async?: boolean;
  idempotencyKey?: string;
  wait?: boolean;
}

interface InvokeBody {
  requestId: string;
  version: string;
  ok: boolean;
  result?: unknown;
  error?: { errorType: string; errorMessage: string; trace?: string[]; code?: string };
  cold: boolean;
  initDurationMs?: number;
  durationMs: number;
  billedDurationMs: number;
  maxRssBytes: number;
  memoryMb: number;
  logTail?: string;
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of process.stdin) chunks.push(c as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

export function register(program: Command): void {
  withGlobals(
    withService(
      program
        .command('invoke [name]')
        .description(
          "invoke a function and print its result (in a service folder, NAME may be the function's key in serverless.yml)",
        )
        .option('-f, --function <name>', 'the function (instead of the NAME argument)')
        .option('-d, --data <json>', "event JSON ('-' reads stdin)")
        .option('-p, --path <file>', 'read the event JSON from a file')
        .option('--file <path>', 'same as --path')
        .option('-l, --log', "print the function's log tail (START … REPORT) after the result")
        .option('-q, --qualifier <q>', 'version number or alias (default $LATEST)')
        .option('--log-type <type>', 'Tail: also print the last 4 KB of the log (on stderr)')
        .option('--async', 'queue the event durably and print its invocation id (HTTP 202)')
        .option('--idempotency-key <key>', 'with --async: the same key within the window queues once')
        .option('--wait', 'with --async: wait until the invocation finished and print its status'),
    ),
  ).action(async (positional: string | undefined, o: InvokeOpts) => {
    const name = await functionArg(positional, o, 'invoke');
    if (o.data !== undefined && (o.path ?? o.file) !== undefined) {
      throw CliErrors.BAD_ARGUMENT({
        reason: 'give the event with --data or --path, not both',
        command: 'invoke',
      });
    }
    const file = o.path ?? o.file;
    const data = file ? await readFile(file, 'utf8') : o.data === '-' ? await readStdin() : (o.data ?? '{}');
    try {
      JSON.parse(data);
    } catch (e) {
      throw CliErrors.BAD_ARGUMENT({
        reason: `the event is not valid JSON: ${(e as Error).message}`,
        command: 'invoke',
      });
    }
    const qs = new URLSearchParams();
    if (o.qualifier) qs.set('qualifier', o.qualifier);
    if (o.async) return invokeAsync(name, data, qs, o);
    if (o.log || o.logType?.toLowerCase() === 'tail') qs.set('logs', 'tail');
    const r = await clientFor(o).call<InvokeBody>(
      'POST',
      `/v1/functions/${encodeURIComponent(name)}/invoke${qs.size ? `?${qs}` : ''}`,
      data,
    );
    if (o.json) {
      printJson(r);
      return;
    }
    if (r.ok) process.stdout.write(`${JSON.stringify(r.result, null, 2)}\n`);
    else {
      process.stdout.write(
        `${red(`${r.error?.errorType}: ${r.error?.errorMessage}`)}${r.error?.code ? dim(` (${r.error.code})`) : ''}\n`,
      );
      for (const t of r.error?.trace ?? []) process.stdout.write(dim(`  ${t}\n`));
    }
    const mem = `${Math.ceil(r.maxRssBytes / 1048576)}/${r.memoryMb} MB`;
    const start = r.cold ? `cold (init ${r.initDurationMs?.toFixed(1)} ms)` : 'warm';
    process.stderr.write(
      dim(
        `${r.requestId} · ${r.version} · ${r.durationMs.toFixed(1)} ms · billed ${r.billedDurationMs} ms · ${mem} · ${start}\n`,
      ),
    );
    // `--log` (Serverless): the log after the result, on stdout; `--log-type Tail`: on stderr.
    if (r.logTail && o.log) process.stdout.write(`${dim('-'.repeat(68))}\n${r.logTail}`);
    else if (r.logTail) process.stderr.write(`\n${r.logTail}`);
    if (!r.ok) process.exitCode = 1;
  });
}

async function invokeAsync(name: string, data: string, qs: URLSearchParams, o: InvokeOpts): Promise<void> {
  const client = clientFor(o);
  const r = await client.call<{ id: string; duplicate: boolean }>(
    'POST',
    `/v1/functions/${encodeURIComponent(name)}/invoke-async${qs.size ? `?${qs}` : ''}`,
    data,
    o.idempotencyKey ? { 'idempotency-key': o.idempotencyKey } : {},
  );
  if (!o.wait) {
    if (o.json) printJson(r);
    else process.stdout.write(`${r.id}${r.duplicate ? dim(' (duplicate: already queued)') : ''}\n`);
    return;
  }
  for (;;) {
    const v = await client.call<{ status: string; result?: unknown; error?: unknown }>(
      'GET',
      `/v1/invocations/${r.id}`,
    );
    if (v.status === 'succeeded' || v.status === 'failed') {
      if (o.json) printJson(v);
      else
        process.stdout.write(
          `${r.id} ${v.status}\n${JSON.stringify(v.status === 'succeeded' ? v.result : v.error, null, 2)}\n`,
        );
      if (v.status === 'failed') process.exitCode = 1;
      return;
    }
    await new Promise((res) => setTimeout(res, 100));
  }
}
