/** Saved test events per function (localStorage): name → JSON text. */

const key = (fn: string) => `nimbus.events.${fn}`;

export function savedEvents(fn: string): Record<string, string> {
  try {
    return JSON.parse(localStorage.getItem(key(fn)) ?? '{}') as Record<string, string>;
  } catch {
    return {};
  }
}

export function saveEvent(fn: string, name: string, json: string): void {
  localStorage.setItem(key(fn), JSON.stringify({ ...savedEvents(fn), [name]: json }));
}

export function deleteEvent(fn: string, name: string): void {
  const all = savedEvents(fn);
  delete all[name];
  localStorage.setItem(key(fn), JSON.stringify(all));
}
