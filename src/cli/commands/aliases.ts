/** `nimbus aliases set|list`: aliases with optional weighted routing to a second version. */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { CliErrors } from '../errors.ts';
import { functionName, type ServiceOpts, withService } from '../names.ts';
import { printJson, table } from '../output.ts';

export function parseWeights(list: string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const w of list) {
    const m = /^(\d+)=(0(\.\d+)?|1(\.0+)?)$/.exec(w);
    if (!m)
      throw CliErrors.BAD_ARGUMENT({
        reason: `--weight ${w}: use VERSION=WEIGHT, e.g. 2=0.1`,
        command: 'aliases set',
      });
    out[m[1]!] = Number(m[2]);
  }
  return out;
}

export function register(aliases: Command): void {
  withGlobals(
    withService(
      aliases
        .command('set <name> <alias> <version>')
        .description('create or update an alias; --weight routes a share of calls to another version')
        .option('--weight <version=weight...>', 'additional version and its weight, e.g. 2=0.1')
        .option('--description <text>'),
    ),
  ).action(
    async (
      arg: string,
      alias: string,
      version: string,
      o: GlobalOpts & ServiceOpts & { weight?: string[]; description?: string },
    ) => {
      const name = await functionName(arg, o, 'aliases set');
      const r = await clientFor(o).call<{
        alias: { name: string; functionVersion: string; additionalWeights: Record<string, number> };
      }>('PUT', `/v1/functions/${encodeURIComponent(name)}/aliases/${encodeURIComponent(alias)}`, {
        functionVersion: version,
        additionalWeights: parseWeights(o.weight ?? []),
        description: o.description,
      });
      if (o.json) printJson(r);
      else {
        const w = Object.entries(r.alias.additionalWeights)
          .map(([v, x]) => ` + version ${v} at ${x * 100}%`)
          .join('');
        process.stdout.write(`${name}:${alias} → version ${r.alias.functionVersion}${w}\n`);
      }
    },
  );
  withGlobals(withService(aliases.command('list <name>').description('list aliases'))).action(
    async (arg: string, o: GlobalOpts & ServiceOpts) => {
      const name = await functionName(arg, o, 'aliases list');
      const r = await clientFor(o).call<{
        aliases: { name: string; functionVersion: string; additionalWeights: Record<string, number> }[];
      }>('GET', `/v1/functions/${encodeURIComponent(name)}/aliases`);
      if (o.json) return printJson(r);
      const rows = [['ALIAS', 'VERSION', 'WEIGHTS']];
      for (const a of r.aliases) rows.push([a.name, a.functionVersion, JSON.stringify(a.additionalWeights)]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
}
