/**
 * `nimbus doctor`: which isolation features are in force, and how well the store's database is
 * protected (from the running platform, or --local).
 */
import type { Command } from 'commander';
import { loadConfig } from '../../config/index.ts';
import { systemClock } from '../../core/clock.ts';
import type { IsolationReport } from '../../core/ports.ts';
import { createProcessSandboxFactory } from '../../runtime/index.ts';
import { findJdk } from '../../runtime/java/toolchain.ts';
import { inspectStore, type StoreFinding } from '../../store/index.ts';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { green, printJson, red } from '../output.ts';

interface StoreReport {
  readonly kind: string;
  readonly warnings?: readonly StoreFinding[];
}

export function register(program: Command): void {
  withGlobals(
    program
      .command('doctor')
      .description('show which sandbox and isolation features are active, and store security warnings')
      .option(
        '--local',
        'inspect this machine (and the NIMBUS_STORE it is configured with) without a running platform',
      ),
  ).action(async (o: GlobalOpts & { local?: boolean }) => {
    let report: { sandbox: IsolationReport; store?: StoreReport; [k: string]: unknown };
    if (o.local) {
      const f = createProcessSandboxFactory({ poolSize: 0, hiddenPaths: [], clock: systemClock });
      const storeUrl = loadConfig({}, process.env).store;
      report = {
        sandbox: f.isolation(),
        store: {
          kind: storeUrl === 'sqlite' ? 'sqlite' : 'postgres',
          warnings: await inspectStore(storeUrl),
        },
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
    if (report.store) {
      const warnings = report.store.warnings ?? [];
      process.stdout.write(
        `store: ${report.store.kind}${warnings.length ? '' : `  ${green('✓')} no warnings`}\n`,
      );
      for (const w of warnings) {
        process.stdout.write(`  ${red('!')} warning ${w.code}: ${w.message}\n      how to fix: ${w.hint}\n`);
      }
    }
    const egress = report.egress as
      | { function: string; mode: string; allow?: { host: string; ports?: number[] }[] }[]
      | undefined;
    if (egress) {
      process.stdout.write(`egress (per function): ${egress.length ? '' : 'no functions'}\n`);
      for (const e of egress) {
        const allow = e.allow?.map((a) => (a.ports ? `${a.host}:${a.ports.join(',')}` : a.host)).join(' ');
        process.stdout.write(`  ${e.function.padEnd(24)} ${e.mode}${allow ? ` → ${allow}` : ''}\n`);
      }
    }
    const build = report.build as { jailed: boolean; detail: string } | undefined;
    if (build) process.stdout.write(`build: ${build.jailed ? green('✓') : red('✗')} ${build.detail}\n`);
    const shown = new Set(['sandbox', 'store', 'egress', 'build']);
    for (const k of Object.keys(report).filter((k) => !shown.has(k))) {
      process.stdout.write(`${k}: ${JSON.stringify(report[k])}\n`);
    }
  });
}
