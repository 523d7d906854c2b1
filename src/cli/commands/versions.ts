/** `nimbus versions publish|list`. */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { functionName, type ServiceOpts, withService } from '../names.ts';
import { printJson, table } from '../output.ts';

export function register(versions: Command): void {
  withGlobals(
    withService(
      versions
        .command('publish <name>')
        .description('publish $LATEST as an immutable version')
        .option('--description <text>'),
    ),
  ).action(async (arg: string, o: GlobalOpts & ServiceOpts & { description?: string }) => {
    const name = await functionName(arg, o, 'versions publish');
    const r = await clientFor(o).call<{ version: { version: string; codeSha256: string } }>(
      'POST',
      `/v1/functions/${encodeURIComponent(name)}/versions`,
      { description: o.description },
    );
    if (o.json) printJson(r);
    else process.stdout.write(`${name} version ${r.version.version}\n`);
  });
  withGlobals(withService(versions.command('list <name>').description('list published versions'))).action(
    async (arg: string, o: GlobalOpts & ServiceOpts) => {
      const name = await functionName(arg, o, 'versions list');
      const r = await clientFor(o).call<{
        versions: { version: string; description: string; createdAt: string; codeSha256: string }[];
      }>('GET', `/v1/functions/${encodeURIComponent(name)}/versions`);
      if (o.json) return printJson(r);
      const rows = [['VERSION', 'CREATED', 'CODE', 'DESCRIPTION']];
      for (const v of r.versions)
        rows.push([v.version, v.createdAt, v.codeSha256.slice(0, 12), v.description]);
      process.stdout.write(`${table(rows)}\n`);
    },
  );
}
