/**
 * The gateway's SERVER span (tracing on only): one per request that matched a route, parented to
 * the caller's `traceparent` (or `X-Amzn-Trace-Id`); ended when the response is finished or the
 * connection closes, with the status code sent.
 */
import type { ServerResponse } from 'node:http';
import type { RouteRecord } from '../core/types.ts';
import { incomingTraceparent } from '../observability/trace-context.ts';
import type { SpanHandle, Tracing } from '../observability/tracing.ts';

export function gatewaySpan(
  t: Tracing,
  req: { method: string; path: string },
  route: RouteRecord,
  header: (name: string) => string | undefined,
  res: ServerResponse,
): SpanHandle {
  // routeKey is `GET /items/{id}` (or `$default`): the route template, as http.route wants.
  const space = route.routeKey.indexOf(' ');
  const template = space > 0 ? route.routeKey.slice(space + 1) : route.routeKey;
  const span = t.start(`${req.method} ${template}`, {
    kind: 'server',
    parent: incomingTraceparent(header),
    attributes: {
      'http.request.method': req.method,
      'url.path': req.path.slice(0, 1024),
      'http.route': template,
      'nimbus.route_key': route.routeKey,
      'nimbus.tenant': route.tenant,
      'faas.invoked_name': route.stateMachine === undefined ? route.functionName : undefined,
      'nimbus.state_machine': route.stateMachine,
    },
  });
  const end = () => {
    const status = res.statusCode;
    span.set('http.response.status_code', status);
    if (status >= 500) span.fail(`HTTP ${status}`);
    if (!res.writableFinished) span.set('nimbus.client_aborted', true);
    span.end();
  };
  res.once('close', end);
  return span;
}
