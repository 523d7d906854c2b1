import { nimbus } from '@nimbus/sdk';

interface Analysed {
  time?: string;
  data: { name: string; [k: string]: unknown };
}

/** Writes images-summary/<name>.json with everything the pipeline learnt. */
export const handler = async (event: Analysed, context: unknown) => {
  const summary = { ...event.data, summarisedAt: event.time ?? new Date().toISOString() };
  await nimbus(context).objects.put('images-summary', `${event.data.name}.json`, JSON.stringify(summary, null, 2), {
    contentType: 'application/json',
  });
  return { name: event.data.name };
};
