/** `nimbus start`: the whole platform in the foreground. */
import type { Command } from 'commander';
import { type ConfigInput, loadConfig } from '../../config/index.ts';
import { startPlatform } from '../../server/index.ts';
import { bold, dim, printJson } from '../output.ts';

export function register(program: Command): void {
  program
    .command('start')
    .description('start the platform (API, gateway, runtime) in the foreground')
    .option('--port <n>', 'gateway port (env NIMBUS_PORT, default 3000)')
    .option('--api-port <n>', 'API port (env NIMBUS_API_PORT, default 8080)')
    .option('--s3-port <n>', 'S3-compatible bucket API port (env NIMBUS_S3_PORT, default 9000)')
    .option('--host <addr>', 'listen address (env NIMBUS_HOST, default 127.0.0.1)')
    .option('--data-dir <dir>', 'data directory (env NIMBUS_DATA_DIR, default ./.nimbus)')
    .option('--store <url>', 'sqlite or postgres://… (env NIMBUS_STORE, default sqlite)')
    .option('--sandbox <kind>', 'auto | bwrap | unshare (env NIMBUS_SANDBOX)')
    .option('--pool-size <n>', 'pre-booted processes per runtime (env NIMBUS_POOL_SIZE, default 2)')
    .option(
      '--idle-ttl-sec <n>',
      'seconds before an idle instance stops (env NIMBUS_IDLE_TTL_SEC, default 300)',
    )
    .option('--log-level <level>', 'fatal|error|warn|info|debug|trace|silent (env NIMBUS_LOG_LEVEL)')
    .option(
      '--price-table <file>',
      'JSON price table for cost metering (env NIMBUS_PRICE_TABLE; default: Lambda prices)',
    )
    .option(
      '--cluster <name>',
      'join the cluster of this name (env NIMBUS_CLUSTER; needs --store postgres://…, --nats and NIMBUS_MASTER_KEY)',
    )
    .option('--nats <url>', 'NATS server(s), nats://host:port[,…] (env NIMBUS_NATS; cluster mode)')
    .option(
      '--roles <list>',
      'what this cluster node does: gateway,api,worker,scheduler (env NIMBUS_ROLES, default all)',
    )
    .option('--json', 'print the start-up summary as JSON')
    .addHelpText(
      'after',
      '\nTraces (OpenTelemetry, OTLP/HTTP) are on when OTEL_EXPORTER_OTLP_ENDPOINT or\n' +
        'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT is set; also OTEL_SERVICE_NAME, OTEL_TRACES_SAMPLER,\n' +
        'OTEL_TRACES_SAMPLER_ARG, OTEL_EXPORTER_OTLP_HEADERS, OTEL_TRACES_EXPORTER=none.',
    )
    .action(async (o: Record<string, string | boolean | undefined>) => {
      const flags: ConfigInput = {
        port: o.port as string,
        apiPort: o.apiPort as string,
        s3Port: o.s3Port as string,
        host: o.host as string,
        dataDir: o.dataDir as string,
        store: o.store as string,
        sandbox: o.sandbox as string,
        poolSize: o.poolSize as string,
        idleTtlSec: o.idleTtlSec as string,
        logLevel: o.logLevel as string,
        priceTable: o.priceTable as string,
        cluster: o.cluster as string,
        nats: o.nats as string,
        roles: o.roles as string,
      };
      const config = loadConfig(flags, process.env);
      const p = await startPlatform(config);
      const summary = {
        apiUrl: p.apiUrl,
        gatewayUrl: p.gatewayUrl,
        s3Url: p.s3Url,
        // The web console is on the API port (a cluster node serves it with the api role).
        ...(config.cluster && !config.roles.includes('api') ? {} : { consoleUrl: `${p.apiUrl}/console/` }),
        dataDir: config.dataDir,
        store: config.store === 'sqlite' ? 'sqlite' : 'postgres',
        ...(config.cluster ? { cluster: config.cluster, node: p.nodeId, roles: config.roles } : {}),
        adminKeyId: p.admin.keyId,
        ...(p.admin.generated ? { adminSecret: p.admin.secret, credentialsFile: p.admin.file } : {}),
      };
      if (o.json) printJson(summary);
      else {
        process.stdout.write(
          `${bold('Nimbus is running')}\n  API      ${p.apiUrl}\n${summary.consoleUrl ? `  console  ${summary.consoleUrl}\n` : ''}  gateway  ${p.gatewayUrl}\n  S3       ${p.s3Url}\n  data     ${config.dataDir} (${summary.store})\n${
            config.cluster
              ? `  cluster  ${config.cluster}, node ${p.nodeId} (${config.roles.join(', ')})\n`
              : ''
          }`,
        );
        if (p.admin.generated) {
          process.stdout.write(
            `\nAdmin credentials (shown once; saved to ${p.admin.file}, mode 0600):\n  key id  ${p.admin.keyId}\n  secret  ${p.admin.secret}\n`,
          );
        }
        process.stdout.write(dim('\nCtrl-C to stop\n'));
      }
      await new Promise<void>((resolve) => {
        const stop = () => resolve();
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
      });
      await p.close();
      process.exit(0);
    });
}
