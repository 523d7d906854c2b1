/** Human vs --json output; colours only on a TTY; progress only on a TTY. */
import type { NimbusError } from '../core/errors.ts';

const tty = process.stdout.isTTY === true;
const paint = (code: number) => (s: string) => (tty ? `\u001b[${code}m${s}\u001b[0m` : s);
export const dim = paint(2);
export const bold = paint(1);
export const red = paint(31);
export const green = paint(32);

export function printJson(v: unknown): void {
  process.stdout.write(`${JSON.stringify(v, null, 2)}\n`);
}

export function progress(text: string): () => void {
  if (!process.stderr.isTTY) return () => {};
  process.stderr.write(`${text}…`);
  return () => process.stderr.write('\r\u001b[K');
}

export function table(rows: string[][]): string {
  const w = rows[0]?.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length))) ?? [];
  return rows
    .map((r) =>
      r
        .map((c, i) => c.padEnd(w[i] ?? 0))
        .join('  ')
        .trimEnd(),
    )
    .join('\n');
}

/** "What happened / how to fix" for user errors; code + message for system errors; no stacks. */
export function printError(e: NimbusError, json: boolean): void {
  if (json) {
    process.stdout.write(`${JSON.stringify({ error: e.toJSON() }, null, 2)}\n`);
    return;
  }
  process.stderr.write(`${red('Error:')} ${e.message}\n`);
  if (e.hint) process.stderr.write(`How to fix: ${e.hint}\n`);
  process.stderr.write(dim(`(${e.code})\n`));
  if (process.env.NIMBUS_DEBUG === '1' && e.stack) process.stderr.write(`${e.stack}\n`);
}
