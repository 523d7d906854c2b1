/** Alert rules over REST (docs/API.md "Alerts"): list with their state, create or replace, read, delete. */
import type { FastifyInstance } from 'fastify';
import { AlertErrors, type AlertService } from '../alerts/index.ts';
import { type Arns, authorize } from './auth.ts';
import { params, parseJsonBody } from './http.ts';

export interface AlertRouteDeps {
  /** Absent when metrics are off (NIMBUS_METRICS=off): the routes answer 501. */
  readonly alerts?: AlertService | undefined;
}

export function registerAlertRoutes(app: FastifyInstance, d: AlertRouteDeps): void {
  const arn = (name: string) => (a: Arns) => a.nimbus('alert', name);
  const service = () => {
    if (!d.alerts) throw AlertErrors.METRICS_OFF();
    return d.alerts;
  };
  app.get('/v1/alerts', async (req) => {
    const p = authorize(req, 'nimbus:ListAlerts', (a) => a.nimbus('alert'));
    return { alerts: await service().list(p.tenant) };
  });
  app.get('/v1/alerts/:name', async (req) => {
    const name = params(req).name!;
    const p = authorize(req, 'nimbus:GetAlert', arn(name));
    return { alert: await service().get(p.tenant, name) };
  });
  app.put('/v1/alerts/:name', async (req) => {
    const name = params(req).name!;
    const p = authorize(req, 'nimbus:PutAlert', arn(name));
    return { alert: await service().put(p.tenant, name, parseJsonBody(req.body)) };
  });
  app.delete('/v1/alerts/:name', async (req, reply) => {
    const name = params(req).name!;
    const p = authorize(req, 'nimbus:DeleteAlert', arn(name));
    await service().delete(p.tenant, name);
    return reply.code(204).send();
  });
}
