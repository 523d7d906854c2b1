/**
 * The platform's ports: what the API port lets through on a node without the api role, where the
 * S3, API and gateway ports listen (by role), the web console on the API port, and the bridges
 * through which function instances reach the API and S3 ports at their network's gateway address.
 * Socket plumbing with its own stop order, the same whatever services sit behind the ports, so it
 * is kept out of the composition root.
 */
import type { Server as HttpServer } from 'node:http';
import { type AddressInfo, createServer as createNetServer, type Socket } from 'node:net';
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import { ClusterErrors } from '../cluster/index.ts';
import type { PlatformConfig } from '../config/index.ts';
import { registerConsole } from '../console/index.ts';
import type { EgressNetwork } from '../runtime/index.ts';
import type { Role } from './cluster.ts';
import { listenOrExplain } from './errors.ts';

/**
 * Opens the S3 port, then the API port (with the console), then the bridges for instances, then
 * the gateway port. `defer` receives what must be closed, in the order it was opened.
 */
export async function openPorts(o: {
  readonly config: PlatformConfig;
  readonly api: FastifyInstance;
  readonly s3: FastifyInstance;
  readonly gateway: FastifyInstance;
  readonly network: EgressNetwork;
  /** This node's roles (a single node has them all). */
  readonly has: (role: Role) => boolean;
  readonly nodeId: string | undefined;
  readonly logger: Logger;
  /** Told where instances reach the API and S3 ports, once the bridges listen. */
  readonly onInstanceEndpoints: (endpoints: { api: string; s3: string }) => void;
  /** Told the gateway's URL once it listens. */
  readonly onGatewayUrl: (url: string) => void;
  readonly defer: (cleanup: () => Promise<void>) => void;
}): Promise<{ apiUrl: string; s3Url: string; gatewayUrl: string | undefined }> {
  const { config, api, s3, logger } = o;
  // A node without the api role still opens its API port for /healthz and /metrics (probes,
  // scrapes) and for its own functions' SDK calls (the bridge below); anything else is refused
  // there. Its S3 port is internal only (the bridge).
  let platformAddr: string | undefined;
  if (!o.has('api')) {
    api.addHook('onRequest', async (req, reply) => {
      const path = req.url.split('?')[0];
      if (path === '/healthz' || path === '/metrics') return;
      if (platformAddr !== undefined && req.socket.localAddress === platformAddr) return;
      return reply.code(421).send({
        error: ClusterErrors.NOT_THIS_ROLE({ role: 'api', node: o.nodeId ?? '' }).toJSON(),
      });
    });
  }
  const s3Url = urlOf(
    await listenOrExplain(
      { what: 'S3', flag: '--s3-port', env: 'NIMBUS_S3_PORT', host: config.host, port: config.s3Port },
      () =>
        s3.listen(o.has('api') ? { host: config.host, port: config.s3Port } : { host: '127.0.0.1', port: 0 }),
    ),
  );
  // The web console at /console (built with Vite on its first request when stale).
  await registerConsole(api, {
    log: { info: (m) => logger.info(m), error: (e, m) => logger.error({ err: e }, m) },
  });
  const apiAddress = await listenOrExplain(
    { what: 'API', flag: '--api-port', env: 'NIMBUS_API_PORT', host: config.host, port: config.apiPort },
    () => api.listen({ host: config.host, port: config.apiPort }),
  );
  // Functions reach the API and S3 ports at their gateway address (never the host's other
  // services): the same servers, also accepting connections there.
  platformAddr = await o.network.platformAddress().catch((e: unknown) => {
    logger.warn({ err: e }, 'functions cannot reach the platform APIs (AWS_ENDPOINT_URL unset)');
    return undefined;
  });
  if (platformAddr) {
    const bridge = async (srv: HttpServer) => {
      const open = new Set<Socket>();
      const l = createNetServer((sock) => {
        open.add(sock);
        sock.once('close', () => open.delete(sock));
        srv.emit('connection', sock);
      });
      await new Promise<void>((res, rej) => l.once('error', rej).listen(0, platformAddr, res));
      // Stop listening and end the instances' connections now: close() alone would wait for
      // every keep-alive connection an instance still holds (a platform stop hung on it).
      o.defer(async () => {
        l.close();
        for (const sock of open) sock.destroy();
      });
      return (l.address() as AddressInfo).port;
    };
    const ports = [await bridge(api.server), await bridge(s3.server)];
    o.defer(await o.network.allowPlatformPorts(ports));
    o.onInstanceEndpoints({
      api: `http://${platformAddr}:${ports[0]}`,
      s3: `http://${platformAddr}:${ports[1]}`,
    });
  }
  const apiUrl = urlOf(apiAddress);
  // A node without the gateway role serves no HTTP triggers (its port stays closed).
  const gwAddress = o.has('gateway')
    ? await listenOrExplain(
        { what: 'gateway', flag: '--port', env: 'NIMBUS_PORT', host: config.host, port: config.port },
        () => o.gateway.listen({ host: config.host, port: config.port }),
      )
    : undefined;
  const gatewayUrl = gwAddress ? urlOf(gwAddress) : undefined;
  if (gatewayUrl) o.onGatewayUrl(gatewayUrl);
  return { apiUrl, s3Url, gatewayUrl };
}

/** A listening address as a URL clients on this host can use. */
/** A listening address as a URL others can call (a wildcard bind is reached on loopback). */
function urlOf(address: string): string {
  return address.replace('0.0.0.0', '127.0.0.1');
}
