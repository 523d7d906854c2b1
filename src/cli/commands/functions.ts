/** `nimbus functions list|get|delete` (deploy lives in deploy.ts). */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionName, type ServiceOpts, withService } from '../names.ts';
import { dim, printJson, table } from '../output.ts';

interface Fn {
  name: string;
  runtime: string;
  handler: string;
  memoryMb: number;
  timeoutSec: number;
  codeSize: number;
  updatedAt: string;
}

export function register(functions: Command): void {
  withGlobals(functions.command('list').description('list functions')).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{ functions: Fn[] }>('GET', '/v1/functions');
    if (o.json) return printJson(r);
    if (r.functions.length === 0)
      return void process.stdout.write(dim('no functions yet: `nimbus deploy <dir>`\n'));
    const rows = [['NAME', 'RUNTIME', 'MEMORY', 'TIMEOUT', 'CODE', 'UPDATED']];
    for (const f of r.functions) {
      rows.push([
        f.name,
        f.runtime,
        `${f.memoryMb} MB`,
        `${f.timeoutSec} s`,
        `${(f.codeSize / 1024).toFixed(1)} KiB`,
        f.updatedAt,
      ]);
    }
    process.stdout.write(`${table(rows)}\n`);
  });

  withGlobals(
    functions
      .command('status')
      .description(
        'instances per function: warm (idle), busy, starting, provisioned; in flight, waiting, limit; cold starts, pre-warms, evictions, throttles, queue wait',
      ),
  ).action(async (o: GlobalOpts) => {
    const r = await clientFor(o).call<{
      functions: {
        functionName: string;
        warm: number;
        busy: number;
        starting: number;
        provisionedInstances: number;
        inflight: number;
        waiting: number;
        concurrencyLimit: number;
        coldStarts: number;
        prewarms: number;
        evictions: number;
        throttles: number;
        invocations: number;
        queueWaitMsTotal: number;
        queueWaitMsMax: number;
      }[];
      node?: { memoryBudgetMb: number | null; memoryUsedMb: number; instances: number; evictions: number };
    }>('GET', '/v1/status');
    if (o.json) return printJson(r);
    const rows = [
      [
        'FUNCTION',
        'WARM',
        'BUSY',
        'STARTING',
        'PROVISIONED',
        'IN FLIGHT',
        'WAITING',
        'LIMIT',
        'INVOCATIONS',
        'COLD STARTS',
        'PRE-WARMS',
        'EVICTED',
        'THROTTLED',
        'QUEUE WAIT AVG',
        'MAX',
      ],
    ];
    for (const f of r.functions)
      rows.push([
        f.functionName,
        String(f.warm),
        String(f.busy),
        String(f.starting),
        String(f.provisionedInstances),
        String(f.inflight),
        String(f.waiting),
        String(f.concurrencyLimit),
        String(f.invocations),
        String(f.coldStarts),
        String(f.prewarms),
        String(f.evictions),
        String(f.throttles),
        `${(f.invocations ? f.queueWaitMsTotal / f.invocations : 0).toFixed(2)} ms`,
        `${f.queueWaitMsMax.toFixed(2)} ms`,
      ]);
    if (r.node) {
      const budget = r.node.memoryBudgetMb === null ? 'unlimited' : `${r.node.memoryBudgetMb} MB`;
      process.stdout.write(
        `node: ${r.node.instances} instances, ${r.node.memoryUsedMb} MB of ${budget} reserved, ${r.node.evictions} evictions\n`,
      );
    }
    process.stdout.write(`${table(rows)}\n`);
  });
  withGlobals(
    withService(
      functions
        .command('get <name>')
        .description("show a function, its versions and aliases (NAME may be a key of the folder's service)"),
    ),
  ).action(async (arg: string, o: GlobalOpts & ServiceOpts) => {
    const name = await functionName(arg, o, 'functions get');
    const r = await clientFor(o).call<{
      function: Fn & Record<string, unknown>;
      versions: { version: string; description: string; createdAt: string }[];
      aliases: { name: string; functionVersion: string; additionalWeights: Record<string, number> }[];
    }>('GET', `/v1/functions/${encodeURIComponent(name)}`);
    if (o.json) return printJson(r);
    const f = r.function;
    process.stdout.write(
      `${f.name}  ${f.runtime}  ${f.handler}  ${f.memoryMb} MB  ${f.timeoutSec} s\n${dim(String(f.arn))}\n`,
    );
    if (r.versions.length) {
      process.stdout.write(`versions: ${r.versions.map((v) => v.version).join(', ')}\n`);
    }
    for (const a of r.aliases) {
      const w = Object.entries(a.additionalWeights)
        .map(([v, x]) => ` + ${v}@${x}`)
        .join('');
      process.stdout.write(`alias ${a.name} → ${a.functionVersion}${w}\n`);
    }
  });

  withGlobals(
    withService(
      functions
        .command('delete <name>')
        .description(
          "delete a function with its versions, aliases, routes, schedules, sources and subscriptions (NAME may be a key of the folder's service)",
        )
        .option('-y, --yes', 'do not ask'),
    ),
  ).action(async (arg: string, o: GlobalOpts & ServiceOpts & { yes?: boolean }) => {
    const name = await functionName(arg, o, 'functions delete');
    if (!o.yes && process.stdin.isTTY) {
      throw CliErrors.BAD_ARGUMENT({
        reason: `refusing to delete ${name} without --yes`,
        command: 'functions delete',
      });
    }
    await clientFor(o).call('DELETE', `/v1/functions/${encodeURIComponent(name)}`);
    if (o.json) printJson({ deleted: name });
    else process.stdout.write(`deleted ${name}\n`);
  });
}
