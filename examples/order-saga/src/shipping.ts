import { namedError, type Order, putJson, record, requireOrder } from './ledger.ts';

/** Step 3: hand the order to the carrier (shipments/<orderId>.json). */
export const ship = async (event: Order) => {
  const orderId = requireOrder(event);
  if (event.failAt === 'ship') {
    await record(orderId, 'ship:failed');
    throw namedError('Shipping.Unavailable', `order ${orderId}: no carrier accepts the parcel`);
  }
  const trackingNumber = `TRK-${orderId.toUpperCase()}`;
  await putJson(`shipments/${orderId}.json`, { orderId, trackingNumber, status: 'shipped' });
  await record(orderId, 'ship');
  return { trackingNumber };
};
