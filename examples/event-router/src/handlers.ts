/** Each handler records what it received; a real one would bill, ship, alert… */
type Event = Record<string, unknown>;

async function report(route: string, event: Event): Promise<{ route: string }> {
  console.log(`${route}: ${JSON.stringify(event)}`);
  const url = process.env.ROUTER_REPORT_URL;
  if (url) await (await fetch(url, { method: 'POST', body: JSON.stringify({ route, event }) })).text();
  return { route };
}

export const largeOrders = (e: Event) => report('large-orders', e);
export const euOrders = (e: Event) => report('eu-orders', e);
export const usOrders = (e: Event) => report('us-orders', e);
export const fraudCheck = (e: Event) => report('fraud-check', e);
/** Subscribed with `- sns:`: receives Lambda's SNS event; the CloudEvent's data is the Message. */
export const audit = (e: Event) => {
  const sns = (e.Records as { Sns?: { MessageId: string; Message: string } }[] | undefined)?.[0]?.Sns;
  return report('audit', sns ? { id: sns.MessageId, message: JSON.parse(sns.Message) } : e);
};
