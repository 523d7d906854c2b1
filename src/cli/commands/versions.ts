/** `nimbus versions publish|list`. */
import type { Command } from 'commander';
import { clientFor, type GlobalOpts, withGlobals } from '../context.ts';
import { printJson, table } from '../output.ts';

export function register(versions: Command): void {
  withGlobals(
    versions
      .command('publish <name>')
      .description('publish $LATEST as an immutable version')
      .option('--description <text>'),
  ).action(async (name: string, o: GlobalOpts & { description?: string }) => {
    const r = await clientFor(o).call<{ version: { version: string; codeSha256: string } }>(
      'POST',
      `/v1/functions/${encodeURIComponent(name)}/versions`,
      { description: o.description },
    );
    if (o.json) printJson(r);
    else process.stdout.write(`${name} version ${r.version.version}\n`);
  });
  withGlobals(versions.command('list <name>').description('list published versions')).action(
    async (name: string, o: GlobalOpts) => {
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
