/**
 * @module deploy/render
 * Nimbus's Kubernetes manifests from a values object, without Helm. The defaults are the Helm
 * chart's own values.yaml (deploy/helm/nimbus), merged with the caller's values the way Helm
 * merges them, and the objects are the ones the chart's templates make: test/deploy.test.ts renders
 * the chart's templates too and requires the same objects, so the two cannot drift apart silently.
 *
 *   node deploy/render.ts -f my-values.yaml [--set clusterName=prod] [--release nimbus] [--namespace nimbus] > nimbus.yaml
 *   kubectl apply -n nimbus -f nimbus.yaml
 *
 * Objects are typed with kubernetes-models' interfaces, so a misspelt field fails `tsc`; their
 * schemas are checked by the test (kubernetes-models is a dev dependency, used here for types only).
 */
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { IMetricSpec } from 'kubernetes-models/autoscaling/v2/MetricSpec';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { INetworkPolicyEgressRule } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyEgressRule';
import type { INetworkPolicyPeer } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicyPeer';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { IPodSecurityContext } from 'kubernetes-models/v1/PodSecurityContext';
import type { IProbe } from 'kubernetes-models/v1/Probe';
import type { IResourceRequirements } from 'kubernetes-models/v1/ResourceRequirements';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import type { ISecurityContext } from 'kubernetes-models/v1/SecurityContext';
import type { IService } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import type { IToleration } from 'kubernetes-models/v1/Toleration';
import type { IVolume } from 'kubernetes-models/v1/Volume';
import type { IVolumeMount } from 'kubernetes-models/v1/VolumeMount';
import { parse, stringify } from 'yaml';
import { defineErrors, isNimbusError } from '../src/core/errors.ts';

export const CHART_DIR = join(dirname(fileURLToPath(import.meta.url)), 'helm', 'nimbus');

export const RenderErrors = defineErrors('K8S', {
  VALUES: {
    status: 400,
    kind: 'user',
    message: 'the values cannot be deployed:\n{problems}',
    hint: 'set them in your values file (-f) or with --set; deploy/README.md lists every value',
  },
  ARGS: {
    status: 400,
    kind: 'user',
    message: '{reason}',
    hint: 'node deploy/render.ts [-f values.yaml]… [--set key=value]… [--release name] [--namespace ns]',
  },
});

export type RoleName = 'gateway' | 'api' | 'worker' | 'scheduler';
/** Deployment components: one per role, or `all` (allInOne). */
export type Component = RoleName | 'all';
export const ROLES: readonly RoleName[] = ['gateway', 'api', 'worker', 'scheduler'];

export interface AutoscalingValues {
  enabled: boolean;
  minReplicas: number;
  maxReplicas: number;
  /** Pods metric nimbus_concurrent_executions, average per pod ("" = not used). */
  targetConcurrentExecutions: string;
  /** External metric nimbus_async_queue_depth, average per pod ("" = not used). */
  targetQueueDepth: string;
}

export interface DeploymentValues {
  enabled?: boolean;
  replicas: number;
  sandbox: boolean;
  instanceMemoryMb: number;
  terminationGracePeriodSeconds: number;
  resources: IResourceRequirements;
  pdb: { maxUnavailable: number | string };
  autoscaling: AutoscalingValues;
}

interface ProbeTiming {
  periodSeconds: number;
  failureThreshold: number;
  timeoutSeconds: number;
}

type ServiceType = 'ClusterIP' | 'NodePort' | 'LoadBalancer';

/** values.yaml, typed. */
export interface Values {
  image: { repository: string; tag: string; digest: string; pullPolicy: 'Always' | 'IfNotPresent' | 'Never' };
  imagePullSecrets: { name: string }[];
  clusterName: string;
  store: { url: string };
  nats: { url: string; replicas: number };
  secret: { existing: string; masterKey: string; adminKeyId: string; adminSecret: string };
  config: {
    logLevel: string;
    region: string;
    accountId: string;
    tenantDomain: string;
    sandbox: string;
    extra: Record<string, string>;
  };
  ports: { gateway: number; api: number; s3: number };
  service: {
    gateway: { type: ServiceType; port: number; annotations: Record<string, string> };
    api: { type: ServiceType; port: number; s3Port: number; annotations: Record<string, string> };
  };
  sandbox: {
    privileged: boolean;
    capabilities: string[];
    seccompProfile: { type: 'Unconfined' | 'Localhost' | 'RuntimeDefault'; localhostProfile: string };
    seLinuxType: string;
    initScript: boolean;
  };
  podAnnotations: Record<string, string>;
  podLabels: Record<string, string>;
  nodeSelector: Record<string, string>;
  tolerations: IToleration[];
  priorityClassName: string;
  dataDirSizeLimit: string;
  tmpSizeLimit: string;
  spread: { nodeAntiAffinityWeight: number; zoneSkew: number };
  preStopSleepSeconds: number;
  probes: { startup: ProbeTiming; readiness: ProbeTiming; liveness: ProbeTiming };
  allInOne: DeploymentValues & { enabled: boolean };
  roles: Record<RoleName, DeploymentValues & { enabled: boolean }>;
  networkPolicy: {
    enabled: boolean;
    ingressFrom: INetworkPolicyPeer[];
    postgres: { port: number; to: INetworkPolicyPeer[] };
    nats: { port: number; to: INetworkPolicyPeer[] };
    dns: { to: INetworkPolicyPeer[] };
    internet: boolean;
    extraEgress: INetworkPolicyEgressRule[];
  };
}

/** Values as a user writes them: any subset, nested. `null` removes a default (as in Helm). */
export type ValuesInput = { [k: string]: unknown };

export type K8sObject =
  | IServiceAccount
  | IConfigMap
  | ISecret
  | IService
  | IDeployment
  | IHorizontalPodAutoscaler
  | IPodDisruptionBudget
  | INetworkPolicy;

export interface RenderOptions {
  /** Helm's release name: the prefix of every object's name (default `nimbus`). */
  readonly release?: string;
  /** Where the objects go (default `nimbus`). */
  readonly namespace?: string;
  /** Merged over the chart's values.yaml, in order. */
  readonly values?: readonly ValuesInput[];
}

/** Where the platform keeps its caches in a pod (an emptyDir). */
export const DATA_DIR = '/var/lib/nimbus';
export const INIT_SCRIPT_DIR = '/etc/nimbus/init';
export const INIT_SCRIPT = 'sandbox-init.sh';
/** The uid pods without the sandbox run as (no root needed there). */
export const NON_ROOT_UID = 65532;
export const CLUSTER_NAME = /^[a-z][a-z0-9_]{0,39}$/;
/** Chart-managed variables: `config.extra` may not set them (nor the secrets). */
export const MANAGED_ENV = [
  'NIMBUS_CLUSTER',
  'NIMBUS_NATS',
  'NIMBUS_STORE',
  'NIMBUS_ROLES',
  'NIMBUS_HOST',
  'NIMBUS_PORT',
  'NIMBUS_API_PORT',
  'NIMBUS_S3_PORT',
  'NIMBUS_DATA_DIR',
  'NIMBUS_NODE_MEMORY_MB',
  'NIMBUS_MASTER_KEY',
  'NIMBUS_ADMIN_KEY_ID',
  'NIMBUS_ADMIN_SECRET',
];
/** What functions' `internet` policy excludes (docs/SECURITY.md), as NetworkPolicy excepts. */
export const NON_PUBLIC_IPV4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.168.0.0/16',
  '224.0.0.0/4',
  '240.0.0.0/4',
];

const TCP = 'TCP' as const;
/** Helm reads values files as YAML 1.1 (`on` is true, `0755` octal): so do we. */
const YAML_IN = { version: '1.1' } as const;

const isMap = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Helm's merge of user values over defaults: maps merge key by key, anything else replaces, null deletes. */
export function mergeValues(base: unknown, over: unknown): unknown {
  if (!isMap(base) || !isMap(over)) return structuredClone(over);
  const out: Record<string, unknown> = structuredClone(base);
  for (const [k, v] of Object.entries(over)) {
    if (v === null) delete out[k];
    else out[k] = k in out ? mergeValues(out[k], v) : structuredClone(v);
  }
  return out;
}

export function chartValues(): Values {
  return parse(readFileSync(join(CHART_DIR, 'values.yaml'), 'utf8'), YAML_IN) as Values;
}

export function chartAppVersion(): string {
  const chart = parse(readFileSync(join(CHART_DIR, 'Chart.yaml'), 'utf8')) as { appVersion: string };
  return String(chart.appVersion);
}

export function initScript(): string {
  return readFileSync(join(CHART_DIR, 'files', INIT_SCRIPT), 'utf8');
}

/** The Deployments the values ask for: `all`, or each enabled role. */
export function components(v: Values): { component: Component; d: DeploymentValues }[] {
  if (v.allInOne.enabled) return [{ component: 'all', d: v.allInOne }];
  return ROLES.filter((r) => v.roles[r].enabled).map((r) => ({ component: r, d: v.roles[r] }));
}

const hasCredentials = (url: string) => url.includes('@');

/** Every reason these values cannot be deployed (the chart's templates `fail` on the same ones). */
export function problems(v: Values): string[] {
  const p: string[] = [];
  if (!CLUSTER_NAME.test(v.clusterName))
    p.push('clusterName: 1–40 of a–z 0–9 _, starting with a letter (it names a PostgreSQL schema)');
  if (!v.image.repository) p.push('image.repository is required');
  if (!v.image.digest && (!v.image.tag || v.image.tag === 'latest'))
    p.push('image.tag: pin a release (not empty, not "latest"), or set image.digest');
  if (!v.secret.existing) {
    if (!v.store.url) p.push('store.url is required (postgres://user:password@host:5432/db)');
    if (!v.secret.masterKey) p.push('secret.masterKey is required (openssl rand -base64 32)');
    if (!v.secret.adminKeyId) p.push('secret.adminKeyId is required (16–40 of A–Z 0–9)');
    if (!v.secret.adminSecret) p.push('secret.adminSecret is required (at least 20 characters)');
    if (!v.nats.url) p.push('nats.url is required (nats://host:4222)');
  } else if (hasCredentials(v.nats.url)) {
    p.push('nats.url carries credentials: put NIMBUS_NATS in the existing Secret and set nats.url to ""');
  }
  for (const k of Object.keys(v.config.extra)) {
    if (!k.startsWith('NIMBUS_')) p.push(`config.extra.${k}: only NIMBUS_* settings`);
    else if (MANAGED_ENV.includes(k)) p.push(`config.extra.${k}: set by the chart (use its own value)`);
  }
  for (const k of Object.keys(v.podLabels))
    if (k.startsWith('app.kubernetes.io/') || k === 'nimbus.dev/cluster')
      p.push(`podLabels.${k}: set by the chart`);
  for (const k of Object.keys(v.podAnnotations))
    if (k.startsWith('prometheus.io/')) p.push(`podAnnotations.${k}: set by the chart`);
  const list = components(v);
  if (list.length === 0) p.push('no Deployment: enable allInOne or at least one role');
  for (const { component, d } of list) {
    const a = d.autoscaling;
    if (a.enabled && !a.targetConcurrentExecutions && !a.targetQueueDepth)
      p.push(`${component}.autoscaling: set targetConcurrentExecutions or targetQueueDepth`);
  }
  return p;
}

/**
 * The manifests for these values, in apply order. Throws NIMBUS_ERR_K8S_VALUES listing every
 * problem when the values cannot be deployed.
 */
export function render(opts: RenderOptions = {}): K8sObject[] {
  let merged: unknown = chartValues();
  for (const v of opts.values ?? []) merged = mergeValues(merged, v);
  const v = merged as Values;
  const bad = problems(v);
  if (bad.length) throw RenderErrors.VALUES({ problems: bad.map((s) => `  - ${s}`).join('\n') });
  return build(v, opts.release ?? 'nimbus', opts.namespace ?? 'nimbus', chartAppVersion());
}

function build(v: Values, release: string, namespace: string, appVersion: string): K8sObject[] {
  const common = {
    'app.kubernetes.io/name': 'nimbus',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/version': appVersion,
    'app.kubernetes.io/part-of': 'nimbus',
  };
  const selector = (c: Component) => ({
    'app.kubernetes.io/name': 'nimbus',
    'app.kubernetes.io/instance': release,
    'app.kubernetes.io/component': c,
  });
  const meta = (name: string, component?: Component) => ({
    name,
    namespace,
    labels: component ? { ...common, 'app.kubernetes.io/component': component } : { ...common },
  });
  const list = components(v);
  const configName = `${release}-config`;
  const secretName = v.secret.existing || `${release}-secrets`;
  const initName = `${release}-sandbox-init`;
  const withInit = v.sandbox.initScript && list.some((c) => c.d.sandbox);
  const out: K8sObject[] = [];

  out.push({
    apiVersion: 'v1',
    kind: 'ServiceAccount',
    metadata: meta(release),
    // Nimbus never calls the Kubernetes API: no token in its pods.
    automountServiceAccountToken: false,
  });

  const natsInConfig = v.nats.url !== '' && !hasCredentials(v.nats.url);
  const config: Record<string, string> = {
    NIMBUS_CLUSTER: v.clusterName,
    ...(natsInConfig ? { NIMBUS_NATS: v.nats.url } : {}),
    NIMBUS_NATS_REPLICAS: String(v.nats.replicas),
    NIMBUS_HOST: '0.0.0.0',
    NIMBUS_PORT: String(v.ports.gateway),
    NIMBUS_API_PORT: String(v.ports.api),
    NIMBUS_S3_PORT: String(v.ports.s3),
    NIMBUS_DATA_DIR: DATA_DIR,
    NIMBUS_SANDBOX: v.config.sandbox,
    NIMBUS_LOG_LEVEL: v.config.logLevel,
    NIMBUS_REGION: v.config.region,
    NIMBUS_ACCOUNT_ID: v.config.accountId,
    NIMBUS_TENANT_DOMAIN: v.config.tenantDomain,
  };
  for (const [k, x] of Object.entries(v.config.extra)) config[k] = String(x);
  out.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: meta(configName), data: config });
  if (withInit) {
    out.push({
      apiVersion: 'v1',
      kind: 'ConfigMap',
      metadata: meta(initName),
      data: { [INIT_SCRIPT]: initScript() },
    });
  }
  if (!v.secret.existing) {
    out.push({
      apiVersion: 'v1',
      kind: 'Secret',
      metadata: meta(secretName),
      type: 'Opaque',
      stringData: {
        NIMBUS_STORE: v.store.url,
        NIMBUS_MASTER_KEY: v.secret.masterKey,
        NIMBUS_ADMIN_KEY_ID: v.secret.adminKeyId,
        NIMBUS_ADMIN_SECRET: v.secret.adminSecret,
        ...(hasCredentials(v.nats.url) ? { NIMBUS_NATS: v.nats.url } : {}),
      },
    });
  }

  // Services: the gateway's HTTP triggers, and the control plane with the S3-compatible API.
  const gatewayPods = list.find((c) => c.component === 'gateway' || c.component === 'all');
  const apiPods = list.find((c) => c.component === 'api' || c.component === 'all');
  if (gatewayPods) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta(`${release}-gateway`, 'gateway'), annotations: v.service.gateway.annotations },
      spec: {
        type: v.service.gateway.type,
        selector: selector(gatewayPods.component),
        ports: [{ name: 'http', port: v.service.gateway.port, targetPort: 'http', protocol: 'TCP' }],
      },
    });
  }
  if (apiPods) {
    out.push({
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { ...meta(`${release}-api`, 'api'), annotations: v.service.api.annotations },
      spec: {
        type: v.service.api.type,
        selector: selector(apiPods.component),
        ports: [
          { name: 'api', port: v.service.api.port, targetPort: 'api', protocol: 'TCP' },
          { name: 's3', port: v.service.api.s3Port, targetPort: 's3', protocol: 'TCP' },
        ],
      },
    });
  }

  for (const { component, d } of list) {
    out.push(
      deployment(v, component, d, { release, meta, selector, common, configName, secretName, initName }),
    );
  }

  for (const { component, d } of list) {
    const a = d.autoscaling;
    if (!a.enabled) continue;
    const metrics: IMetricSpec[] = [];
    if (a.targetConcurrentExecutions) {
      metrics.push({
        type: 'Pods',
        pods: {
          metric: { name: 'nimbus_concurrent_executions' },
          target: { type: 'AverageValue', averageValue: a.targetConcurrentExecutions },
        },
      });
    }
    if (a.targetQueueDepth) {
      metrics.push({
        type: 'External',
        external: {
          metric: {
            name: 'nimbus_async_queue_depth',
            selector: { matchLabels: { nimbus_cluster: v.clusterName } },
          },
          target: { type: 'AverageValue', averageValue: a.targetQueueDepth },
        },
      });
    }
    out.push({
      apiVersion: 'autoscaling/v2',
      kind: 'HorizontalPodAutoscaler',
      metadata: meta(`${release}-${component}`, component),
      spec: {
        scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: `${release}-${component}` },
        minReplicas: a.minReplicas,
        maxReplicas: a.maxReplicas,
        metrics,
        behavior: {
          // Scale-down one pod a minute after 5 calm minutes: warm instances go with a pod.
          scaleDown: {
            stabilizationWindowSeconds: 300,
            policies: [{ type: 'Pods', value: 1, periodSeconds: 60 }],
          },
        },
      },
    });
  }

  for (const { component, d } of list) {
    out.push({
      apiVersion: 'policy/v1',
      kind: 'PodDisruptionBudget',
      metadata: meta(`${release}-${component}`, component),
      spec: { maxUnavailable: d.pdb.maxUnavailable, selector: { matchLabels: selector(component) } },
    });
  }

  if (v.networkPolicy.enabled) out.push(networkPolicy(v, release, meta, gatewayPods !== undefined));
  return out;
}

interface Ctx {
  release: string;
  meta: (
    name: string,
    component?: Component,
  ) => { name: string; namespace: string; labels: Record<string, string> };
  selector: (c: Component) => Record<string, string>;
  common: Record<string, string>;
  configName: string;
  secretName: string;
  initName: string;
}

function deployment(v: Values, component: Component, d: DeploymentValues, c: Ctx): IDeployment {
  const roles = component === 'all' ? ROLES.join(',') : component;
  const serves = (r: RoleName) => component === 'all' || component === r;
  const ports = [
    ...(serves('gateway') ? [{ name: 'http', containerPort: v.ports.gateway, protocol: TCP }] : []),
    // Every node serves /healthz and /metrics on the API port (its functions' SDK calls too).
    { name: 'api', containerPort: v.ports.api, protocol: TCP },
    ...(serves('api') ? [{ name: 's3', containerPort: v.ports.s3, protocol: TCP }] : []),
  ];
  const probe = (path: string, t: ProbeTiming): IProbe => ({
    httpGet: { path, port: 'api' },
    periodSeconds: t.periodSeconds,
    failureThreshold: t.failureThreshold,
    timeoutSeconds: t.timeoutSeconds,
  });
  const init = d.sandbox && v.sandbox.initScript;
  const mounts: IVolumeMount[] = [
    { name: 'data', mountPath: DATA_DIR },
    { name: 'tmp', mountPath: '/tmp' },
    { name: 'run', mountPath: '/run' },
    ...(init ? [{ name: 'sandbox-init', mountPath: INIT_SCRIPT_DIR, readOnly: true }] : []),
  ];
  const volumes: IVolume[] = [
    { name: 'data', emptyDir: { sizeLimit: v.dataDirSizeLimit } },
    { name: 'tmp', emptyDir: { sizeLimit: v.tmpSizeLimit } },
    { name: 'run', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } },
    ...(init ? [{ name: 'sandbox-init', configMap: { name: c.initName, defaultMode: 0o555 } }] : []),
  ];
  const container: IContainer = {
    name: 'nimbus',
    image: v.image.digest
      ? `${v.image.repository}@${v.image.digest}`
      : `${v.image.repository}:${v.image.tag}`,
    imagePullPolicy: v.image.pullPolicy,
    command: init ? ['/bin/sh', `${INIT_SCRIPT_DIR}/${INIT_SCRIPT}`, 'nimbus', 'start'] : ['nimbus', 'start'],
    envFrom: [{ configMapRef: { name: c.configName } }, { secretRef: { name: c.secretName } }],
    env: [
      { name: 'NIMBUS_ROLES', value: roles },
      { name: 'NIMBUS_NODE_MEMORY_MB', value: String(d.instanceMemoryMb) },
    ],
    ports,
    // Start-up runs migrations and pre-boots runtimes: up to 5 minutes before liveness applies.
    startupProbe: probe('/healthz', v.probes.startup),
    // Not ready while starting or degraded (PostgreSQL or NATS unreachable): out of the Service.
    readinessProbe: probe('/healthz', v.probes.readiness),
    // Alive means the process answers; `live=1` asks it not to count its dependencies, so an
    // outage of PostgreSQL or NATS does not restart every pod (deploy/README.md, "Probes").
    livenessProbe: probe('/healthz?live=1', v.probes.liveness),
    resources: d.resources,
    volumeMounts: mounts,
    lifecycle: { preStop: { sleep: { seconds: v.preStopSleepSeconds } } },
    securityContext: containerSecurity(v, d.sandbox),
  };
  const sel = c.selector(component);
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: c.meta(`${c.release}-${component}`, component),
    spec: {
      // The HPA owns the replica count when it is on.
      ...(d.autoscaling.enabled ? {} : { replicas: d.replicas }),
      revisionHistoryLimit: 5,
      selector: { matchLabels: sel },
      strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
      template: {
        metadata: {
          labels: { ...c.common, ...sel, 'nimbus.dev/cluster': v.clusterName, ...v.podLabels },
          annotations: {
            'prometheus.io/scrape': 'true',
            'prometheus.io/port': String(v.ports.api),
            'prometheus.io/path': '/metrics',
            ...v.podAnnotations,
          },
        },
        spec: {
          serviceAccountName: c.release,
          automountServiceAccountToken: false,
          // Service links would put <SERVICE>_PORT variables in the environment, and a Service
          // named nimbus-api gives NIMBUS_API_PORT=tcp://…, the name of a Nimbus setting.
          enableServiceLinks: false,
          // The pause container becomes PID 1 and reaps orphaned sandbox processes.
          shareProcessNamespace: true,
          terminationGracePeriodSeconds: d.terminationGracePeriodSeconds,
          ...(v.priorityClassName ? { priorityClassName: v.priorityClassName } : {}),
          ...(v.imagePullSecrets.length ? { imagePullSecrets: v.imagePullSecrets } : {}),
          securityContext: podSecurity(v, d.sandbox),
          containers: [container],
          volumes,
          affinity: {
            podAntiAffinity: {
              preferredDuringSchedulingIgnoredDuringExecution: [
                {
                  weight: v.spread.nodeAntiAffinityWeight,
                  podAffinityTerm: {
                    topologyKey: 'kubernetes.io/hostname',
                    labelSelector: { matchLabels: sel },
                  },
                },
              ],
            },
          },
          topologySpreadConstraints: [
            {
              maxSkew: v.spread.zoneSkew,
              topologyKey: 'topology.kubernetes.io/zone',
              whenUnsatisfiable: 'ScheduleAnyway',
              labelSelector: { matchLabels: sel },
            },
          ],
          ...(Object.keys(v.nodeSelector).length ? { nodeSelector: v.nodeSelector } : {}),
          ...(v.tolerations.length ? { tolerations: v.tolerations } : {}),
        },
      },
    },
  };
}

function podSecurity(v: Values, sandbox: boolean): IPodSecurityContext {
  if (!sandbox) {
    return {
      runAsNonRoot: true,
      runAsUser: NON_ROOT_UID,
      runAsGroup: NON_ROOT_UID,
      fsGroup: NON_ROOT_UID,
      seccompProfile: { type: 'RuntimeDefault' },
    };
  }
  const s = v.sandbox.seccompProfile;
  return {
    // The runtime's default seccomp profile refuses pivot_root, which both sandboxes call.
    seccompProfile:
      s.type === 'Localhost' ? { type: 'Localhost', localhostProfile: s.localhostProfile } : { type: s.type },
    // The default AppArmor profile of containerd and CRI-O denies mount(2) whatever the capabilities.
    appArmorProfile: { type: 'Unconfined' },
  };
}

function containerSecurity(v: Values, sandbox: boolean): ISecurityContext {
  if (!sandbox) {
    return { allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: { drop: ['ALL'] } };
  }
  return {
    // Root: namespaces, mounts, cgroups and the veth/nftables egress filter are root's work; each
    // instance then runs as uid 65534 with no capabilities (setpriv).
    runAsUser: 0,
    runAsGroup: 0,
    runAsNonRoot: false,
    // The API server refuses allowPrivilegeEscalation: false next to CAP_SYS_ADMIN or privileged.
    allowPrivilegeEscalation: true,
    readOnlyRootFilesystem: true,
    ...(v.sandbox.privileged
      ? { privileged: true }
      : { privileged: false, capabilities: { drop: ['ALL'], add: v.sandbox.capabilities } }),
    ...(v.sandbox.seLinuxType ? { seLinuxOptions: { type: v.sandbox.seLinuxType } } : {}),
  };
}

function networkPolicy(v: Values, release: string, meta: Ctx['meta'], gateway: boolean): INetworkPolicy {
  const np = v.networkPolicy;
  const egress: INetworkPolicyEgressRule[] = [
    {
      to: np.dns.to,
      ports: [
        { protocol: 'UDP', port: 53 },
        { protocol: 'TCP', port: 53 },
      ],
    },
    { to: np.postgres.to, ports: [{ protocol: 'TCP', port: np.postgres.port }] },
    { to: np.nats.to, ports: [{ protocol: 'TCP', port: np.nats.port }] },
    ...(np.internet ? [{ to: [{ ipBlock: { cidr: '0.0.0.0/0', except: NON_PUBLIC_IPV4 } }] }] : []),
    ...np.extraEgress,
  ];
  const ingressPorts = [
    ...(gateway ? [{ protocol: TCP, port: v.ports.gateway }] : []),
    { protocol: TCP, port: v.ports.api },
    { protocol: TCP, port: v.ports.s3 },
  ];
  return {
    apiVersion: 'networking.k8s.io/v1',
    kind: 'NetworkPolicy',
    metadata: meta(release),
    spec: {
      podSelector: {
        matchLabels: { 'app.kubernetes.io/name': 'nimbus', 'app.kubernetes.io/instance': release },
      },
      policyTypes: ['Ingress', 'Egress'],
      ingress: [{ ...(np.ingressFrom.length ? { from: np.ingressFrom } : {}), ports: ingressPorts }],
      egress,
    },
  };
}

/**
 * kubectl and Helm read YAML 1.1, where `on`, `yes` and `0755` are not strings: written as 1.1 so
 * such strings are quoted. No anchors: repeated objects (the selector) are written out each time.
 */
export const YAML_OUT = { version: '1.1', lineWidth: 0, aliasDuplicateObjects: false } as const;

/** Multi-document YAML, as `kubectl apply -f` takes it. */
export function toYaml(objects: readonly K8sObject[]): string {
  return `# Rendered by deploy/render.ts from deploy/helm/nimbus (do not edit: render again)\n${objects
    .map((o) => `---\n${stringify(o, YAML_OUT)}`)
    .join('')}`;
}

/**
 * `--set a.b=c`, typed as Helm's --set types it: true/false, null, integers without a leading zero;
 * anything else (1.0, 0755, on) is a string. One assignment per --set (no commas or lists: use -f).
 */
export function setValue(expr: string): ValuesInput {
  const i = expr.indexOf('=');
  if (i <= 0) throw RenderErrors.ARGS({ reason: `--set ${expr}: expected key=value` });
  const path = expr.slice(0, i).split('.');
  const raw = expr.slice(i + 1);
  const typed: Record<string, unknown> = { true: true, false: false, null: null };
  let value: unknown = raw in typed ? typed[raw] : /^(0|-?[1-9][0-9]{0,17})$/.test(raw) ? Number(raw) : raw;
  for (const k of path.reverse()) value = { [k]: value };
  return value as ValuesInput;
}

export function parseArgs(argv: readonly string[]): RenderOptions {
  const values: ValuesInput[] = [];
  let release: string | undefined;
  let namespace: string | undefined;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = () => {
      const x = argv[++i];
      if (x === undefined) throw RenderErrors.ARGS({ reason: `${a} needs a value` });
      return x;
    };
    if (a === '-f' || a === '--values')
      values.push((parse(readFileSync(next(), 'utf8'), YAML_IN) ?? {}) as ValuesInput);
    else if (a === '--set') values.push(setValue(next()));
    else if (a === '--release') release = next();
    else if (a === '--namespace' || a === '-n') namespace = next();
    else throw RenderErrors.ARGS({ reason: `unknown argument ${a}` });
  }
  return { values, ...(release ? { release } : {}), ...(namespace ? { namespace } : {}) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  try {
    process.stdout.write(toYaml(render(parseArgs(process.argv.slice(2)))));
  } catch (e) {
    if (!isNimbusError(e)) throw e;
    process.stderr.write(`${e.code}: ${e.message}\nHow to fix: ${e.hint ?? ''}\n`);
    process.exit(1);
  }
}
