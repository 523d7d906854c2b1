/** Data tables: one look, and a region that may scroll sideways on a phone. */
import type { ReactNode } from 'react';

/** A column head: its text, or the text with `num` (right-aligned numbers) or `hidden` (for screen readers only). */
export type Column = string | { label: string; num?: boolean; hidden?: boolean };

/**
 * A table named `label`, in a focusable region (keyboard users can scroll it: WCAG 2.1.1);
 * `children` are its body rows.
 */
export function Table({
  label,
  columns,
  children,
}: {
  label: string;
  columns: readonly Column[];
  children: ReactNode;
}) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: a scrollable region must be reachable by keyboard (WCAG 2.1.1)
    <section className="table-wrap" aria-label={label} tabIndex={0}>
      <table className="table" aria-label={label}>
        <thead>
          <tr>
            {columns.map((c) => {
              const col = typeof c === 'string' ? { label: c } : c;
              return (
                <th key={col.label} scope="col" className={col.num ? 'num' : undefined}>
                  {col.hidden ? <span className="sr-only">{col.label}</span> : col.label}
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </section>
  );
}
