import { journal, namedError, type Order, putJson, record, requireOrder } from './ledger.ts';

/**
 * Step 2: charge the payment (payments/<orderId>.json). With `flakyPayment` the provider fails
 * once with Payment.Transient, which the state machine's Retry absorbs; `failAt: "charge"` is a
 * declined card (Payment.Declined), which it does not retry.
 */
export const charge = async (event: Order) => {
  const orderId = requireOrder(event);
  const amount = event.amount ?? 0;
  if (event.flakyPayment && !(await journal(orderId)).some((e) => e.step === 'charge:transient')) {
    await record(orderId, 'charge:transient');
    throw namedError('Payment.Transient', `order ${orderId}: the payment provider timed out`);
  }
  if (event.failAt === 'charge') {
    await record(orderId, 'charge:declined');
    throw namedError('Payment.Declined', `order ${orderId}: the card was declined`);
  }
  const paymentId = `pay-${orderId}`;
  await putJson(`payments/${orderId}.json`, { orderId, paymentId, amount, status: 'charged' });
  await record(orderId, 'charge');
  return { paymentId, amount };
};

/** Compensation of step 2: refund the payment (idempotent: it only sets the status). */
export const refund = async (event: Order) => {
  const orderId = requireOrder(event);
  await putJson(`payments/${orderId}.json`, {
    orderId,
    paymentId: event.payment?.paymentId,
    amount: event.payment?.amount ?? event.amount ?? 0,
    status: 'refunded',
  });
  await record(orderId, 'refund');
  return { refunded: true };
};
