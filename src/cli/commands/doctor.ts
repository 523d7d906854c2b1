/** `nimbus doctor`: which isolation features are in force (from the running platform, or --local). */
import type { Command } from 'commander';
import { systemClock } from '../../core/clock.ts';
import type { IsolationReport } from '../../core/ports.ts';
import { createProcessSandboxFactory } from '../../runtime/index.ts';
import { findJdk } from '../../runtime/java/toolchain.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { green, printJson, red } from '../output.ts';

export function register(program: Command): void {
  withGlobals(
    program
      .command('doctor')
      .description('show which sandbox and isolation features are active')
      .option('--local', 'inspect this machine without a running platform'),
  ).action(async (o: GlobalOpts & { local?: boolean }) => {
    let report: { sandbox: IsolationReport; [k: string]: unknown };
    if (o.local) {
      const f = createProcessSandboxFactory({ poolSize: 0, hiddenPaths: [], clock: systemClock });
      report = {
        sandbox: f.isolation(),
        runtimes: { node: process.versions.node, java: findJdk()?.version ?? null },
      };
      await f.close();
    } else {
      report = await clientFor(o).call('GET', '/v1/doctor');
    }
    if (o.json) return printJson(report);
    process.stdout.write(`sandbox: ${report.sandbox.sandbox}\n`);
    for (const [name, f] of Object.entries(report.sandbox.features)) {
      process.stdout.write(`  ${f.active ? green('✓') : red('✗')} ${name.padEnd(18)} ${f.detail}\n`);
    }
    for (const k of Object.keys(report).filter((k) => k !== 'sandbox')) {
      process.stdout.write(`${k}: ${JSON.stringify(report[k])}\n`);
    }
  });
}
