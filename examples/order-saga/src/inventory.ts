import { namedError, type Order, putJson, record, requireOrder } from './ledger.ts';

/** Step 1: reserve the order's items (inventory/<orderId>.json). */
export const reserve = async (event: Order) => {
  const orderId = requireOrder(event);
  if (event.failAt === 'reserve') {
    await record(orderId, 'reserve:failed');
    throw namedError('Inventory.Unavailable', `order ${orderId}: the items are out of stock`);
  }
  const reservationId = `res-${orderId}`;
  await putJson(`inventory/${orderId}.json`, {
    orderId,
    reservationId,
    items: event.items ?? [],
    status: 'reserved',
  });
  await record(orderId, 'reserve');
  return { reservationId };
};

/** Compensation of step 1: release the reservation (idempotent: it only sets the status). */
export const release = async (event: Order) => {
  const orderId = requireOrder(event);
  await putJson(`inventory/${orderId}.json`, {
    orderId,
    reservationId: event.reservation?.reservationId,
    items: event.items ?? [],
    status: 'released',
  });
  await record(orderId, 'release');
  return { released: true };
};
