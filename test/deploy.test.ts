/**
 * The Kubernetes deployment (deploy/), validated offline: no cluster, no helm, no kubectl here.
 * For each set of values: render the manifests as a user gets them (deploy/render.ts's YAML, read
 * back as kubectl reads YAML 1.1), validate every object against the Kubernetes OpenAPI schemas
 * (kubernetes-models), check what the schemas cannot (our invariants, and API-server rules the
 * schemas lack), feed each container's environment to the platform's own config loader, and render
 * the Helm chart's templates (deploy/helm-template.ts) to require the very same objects.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { after, describe, it } from 'node:test';
import { isDeepStrictEqual } from 'node:util';
import type { Model } from '@kubernetes-models/base';
import type { IDeployment } from 'kubernetes-models/apps/v1/Deployment';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import type { IHorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import { HorizontalPodAutoscaler } from 'kubernetes-models/autoscaling/v2/HorizontalPodAutoscaler';
import type { INetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';
import type { IPodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import { PodDisruptionBudget } from 'kubernetes-models/policy/v1/PodDisruptionBudget';
import type { IConfigMap } from 'kubernetes-models/v1/ConfigMap';
import { ConfigMap } from 'kubernetes-models/v1/ConfigMap';
import type { IContainer } from 'kubernetes-models/v1/Container';
import type { ISecret } from 'kubernetes-models/v1/Secret';
import { Secret } from 'kubernetes-models/v1/Secret';
import type { IService } from 'kubernetes-models/v1/Service';
import { Service } from 'kubernetes-models/v1/Service';
import type { IServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { ServiceAccount } from 'kubernetes-models/v1/ServiceAccount';
import { parse, parseAllDocuments } from 'yaml';
import { loadChart, renderChart, TemplateError } from '../deploy/helm-template.ts';
import {
  CHART_DIR,
  chartAppVersion,
  chartValues,
  INIT_SCRIPT,
  type K8sObject,
  mergeValues,
  NON_PUBLIC_IPV4,
  type RenderOptions,
  render,
  toYaml,
  type ValuesInput,
} from '../deploy/render.ts';
import { ENV_VARS, loadConfig } from '../src/config/index.ts';
import { consolePaths, staleReason } from '../src/console/index.ts';
import { isNimbusError } from '../src/core/errors.ts';

const ROOT = join(import.meta.dirname, '..');
const MASTER_KEY = Buffer.alloc(32, 7).toString('base64');
const SECRETS = {
  store: { url: 'postgres://nimbus:s3cret-pg-pass@nimbus-db-postgresql:5432/nimbus' },
  secret: {
    masterKey: MASTER_KEY,
    adminKeyId: 'NKADMIN0000000000001',
    adminSecret: 'admin-secret-0123456789abcdef',
  },
};
/** What an existing Secret (secret.existing) holds, for the variants that use one. */
const EXISTING_SECRET = {
  NIMBUS_STORE: 'postgres://nimbus:managed-pass@10.20.0.5:5432/nimbus',
  NIMBUS_NATS: 'nats://nimbus:nats-pass@nats:4222',
  NIMBUS_MASTER_KEY: MASTER_KEY,
  NIMBUS_ADMIN_KEY_ID: 'NKADMIN0000000000002',
  NIMBUS_ADMIN_SECRET: 'managed-admin-secret-0123456789',
};

interface Variant {
  readonly name: string;
  readonly opts: RenderOptions & { values: ValuesInput[] };
  /** Expected NIMBUS_CLUSTER. */
  readonly cluster: string;
}

const VARIANTS: Variant[] = [
  { name: 'default values', opts: { values: [SECRETS] }, cluster: 'nimbus' },
  {
    name: 'one all-roles Deployment',
    opts: { values: [SECRETS, { allInOne: { enabled: true } }] },
    cluster: 'nimbus',
  },
  {
    name: 'custom cluster name, release, namespace and ports; database outside the cluster',
    opts: {
      release: 'faas',
      namespace: 'serverless',
      values: [
        SECRETS,
        {
          clusterName: 'prod_eu_1',
          ports: { gateway: 3100, api: 8180, s3: 9100 },
          service: { gateway: { type: 'LoadBalancer', port: 8000 }, api: { port: 8443, s3Port: 9443 } },
          store: { url: 'postgres://nimbus:s3cret-pg-pass@10.20.0.5:6432/nimbus' },
          nats: { url: 'nats://nats-0.nats:4222,nats://nats-1.nats:4222' },
          networkPolicy: { postgres: { port: 6432, to: [{ ipBlock: { cidr: '10.20.0.5/32' } }] } },
        },
      ],
    },
    cluster: 'prod_eu_1',
  },
  {
    name: 'autoscaling off',
    opts: {
      values: [
        SECRETS,
        {
          roles: {
            gateway: { autoscaling: { enabled: false } },
            worker: { autoscaling: { enabled: false } },
          },
        },
      ],
    },
    cluster: 'nimbus',
  },
  {
    name: 'existing Secret, image digest, Localhost seccomp, scheduler without the sandbox, every pod option',
    opts: {
      values: [
        {
          secret: { existing: 'nimbus-managed' },
          nats: { url: '' },
          image: { repository: 'registry.example.com/nimbus', digest: `sha256:${'ab'.repeat(32)}` },
          roles: { scheduler: { sandbox: false } },
          sandbox: {
            seccompProfile: { type: 'Localhost', localhostProfile: 'profiles/nimbus.json' },
            seLinuxType: 'spc_t',
          },
          tolerations: [{ key: 'nimbus.dev/sandbox', operator: 'Exists', effect: 'NoSchedule' }],
          nodeSelector: { 'nimbus.dev/sandbox': 'true' },
          imagePullSecrets: [{ name: 'regcred' }],
          priorityClassName: 'nimbus',
          podLabels: { team: 'faas' },
          podAnnotations: { 'example.com/owner': 'faas' },
          // "on" is a boolean in YAML 1.1: it must reach the ConfigMap as a string.
          config: { extra: { NIMBUS_METRICS: 'on', NIMBUS_FUNCTION_CONCURRENCY: '100' } },
          networkPolicy: {
            internet: false,
            ingressFrom: [
              { namespaceSelector: { matchLabels: { 'kubernetes.io/metadata.name': 'ingress-nginx' } } },
            ],
            extraEgress: [
              { to: [{ ipBlock: { cidr: '10.30.0.0/16' } }], ports: [{ protocol: 'TCP', port: 443 }] },
            ],
          },
        },
      ],
    },
    cluster: 'nimbus',
  },
  {
    name: 'privileged sandbox, NATS credentials, no NetworkPolicy, no init script, no api role',
    opts: {
      values: [
        SECRETS,
        {
          nats: { url: 'nats://nimbus:nats-pass@nats:4222' },
          sandbox: { privileged: true, initScript: false },
          networkPolicy: { enabled: false },
          roles: { api: { enabled: false } },
        },
      ],
    },
    cluster: 'nimbus',
  },
];

// ---- rendering as a user does ---------------------------------------------------------------------

type Obj = K8sObject & { metadata: { name: string; namespace: string; labels: Record<string, string> } };

/** The renderer's YAML, read back as kubectl reads it (YAML 1.1). */
function applied(opts: RenderOptions): Obj[] {
  const docs = parseAllDocuments(toYaml(render(opts)), { version: '1.1', uniqueKeys: true });
  return (Array.isArray(docs) ? docs : [docs]).map((d) => {
    assert.equal(d.errors.length, 0, String(d.errors[0]));
    return d.toJS() as Obj;
  });
}

const CHART = loadChart(CHART_DIR);

function chartObjects(opts: RenderOptions): Obj[] {
  let values: unknown = chartValues();
  for (const v of opts.values ?? []) values = mergeValues(values, v);
  return renderChart(CHART, values, {
    name: opts.release ?? 'nimbus',
    namespace: opts.namespace ?? 'nimbus',
  }).flatMap((t) => t.objects) as unknown as Obj[];
}

const keyOf = (o: { kind: string; metadata?: { name?: string } }) => `${o.kind}/${o.metadata?.name}`;

/** Where two object lists differ (by kind/name, then by path), for a readable failure. */
function differences(a: readonly Obj[], b: readonly Obj[]): string[] {
  const out: string[] = [];
  const walk = (x: unknown, y: unknown, path: string) => {
    if (isDeepStrictEqual(x, y)) return;
    if (x && y && typeof x === 'object' && typeof y === 'object') {
      for (const k of new Set([...Object.keys(x), ...Object.keys(y)]))
        walk((x as Record<string, unknown>)[k], (y as Record<string, unknown>)[k], `${path}.${k}`);
    } else {
      out.push(`${path}: ${JSON.stringify(x)} ≠ ${JSON.stringify(y)}`);
    }
  };
  const am = new Map(a.map((o) => [keyOf(o), o]));
  const bm = new Map(b.map((o) => [keyOf(o), o]));
  for (const k of new Set([...am.keys(), ...bm.keys()])) walk(am.get(k), bm.get(k), k);
  return out;
}

// ---- schema validation ----------------------------------------------------------------------------

type ModelClass = new (data: never) => Model<unknown>;
const MODELS: Record<string, ModelClass> = {
  'v1/ServiceAccount': ServiceAccount as unknown as ModelClass,
  'v1/ConfigMap': ConfigMap as unknown as ModelClass,
  'v1/Secret': Secret as unknown as ModelClass,
  'v1/Service': Service as unknown as ModelClass,
  'apps/v1/Deployment': Deployment as unknown as ModelClass,
  'autoscaling/v2/HorizontalPodAutoscaler': HorizontalPodAutoscaler as unknown as ModelClass,
  'policy/v1/PodDisruptionBudget': PodDisruptionBudget as unknown as ModelClass,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as ModelClass,
};

function validateSchema(o: Obj): void {
  const M = MODELS[`${o.apiVersion}/${o.kind}`];
  assert.ok(M, `${keyOf(o)}: no model for ${o.apiVersion} ${o.kind}`);
  new M(o as never).validate();
}

// ---- invariants -----------------------------------------------------------------------------------

const of = <K extends Obj['kind']>(objs: readonly Obj[], kind: K) =>
  objs.filter((o) => o.kind === kind) as unknown as (Extract<K8sObject, { kind: K }> & Obj)[];
const matches = (selector: Record<string, string>, labels: Record<string, string> | undefined) =>
  Object.entries(selector).every(([k, v]) => labels?.[k] === v);
const DNS_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const MiB = (q: string): number => {
  const m = /^(\d+)(Mi|Gi)$/.exec(q);
  assert.ok(m, `memory quantity ${q}: expected Mi or Gi`);
  return Number(m[1]) * (m[2] === 'Gi' ? 1024 : 1);
};

/** The environment a container starts with: its ConfigMap, its Secret, its own env. */
function environment(
  objs: readonly Obj[],
  c: IContainer,
): { env: Record<string, string>; fromSecret: Set<string> } {
  const env: Record<string, string> = {};
  const fromSecret = new Set<string>();
  for (const src of c.envFrom ?? []) {
    if (src.configMapRef) {
      const cm = of(objs, 'ConfigMap').find((x) => x.metadata.name === src.configMapRef!.name);
      assert.ok(cm, `envFrom names ConfigMap ${src.configMapRef.name}, which is not rendered`);
      Object.assign(env, cm.data);
    }
    if (src.secretRef) {
      const s = of(objs, 'Secret').find((x) => x.metadata.name === src.secretRef!.name);
      const data = s ? (s.stringData ?? {}) : EXISTING_SECRET;
      for (const [k, v] of Object.entries(data)) {
        env[k] = v;
        fromSecret.add(k);
      }
    }
  }
  for (const e of c.env ?? []) env[e.name] = e.value ?? '';
  return { env, fromSecret };
}

function checkInvariants(objs: Obj[], variant: Variant): void {
  const ns = variant.opts.namespace ?? 'nimbus';
  const configMaps = of(objs, 'ConfigMap');
  const secrets = of(objs, 'Secret');
  const deployments = of(objs, 'Deployment') as (IDeployment & Obj)[];
  assert.ok(deployments.length > 0, 'no Deployment');

  for (const o of objs) {
    assert.equal(o.metadata.namespace, ns, `${keyOf(o)}: namespace`);
    const name = o.metadata.name;
    assert.ok(
      name.length <= 63 && (o.kind === 'Service' ? DNS_LABEL : DNS_SUBDOMAIN).test(name),
      `${keyOf(o)}: name`,
    );
    for (const [k, v] of Object.entries(o.metadata.labels ?? {}))
      assert.ok(v.length <= 63 && /^([A-Za-z0-9]([-._A-Za-z0-9]*[A-Za-z0-9])?)?$/.test(v), `label ${k}=${v}`);
  }

  // No value of a Secret, nor any secret input, in a ConfigMap.
  const secretValues = [
    ...secrets.flatMap((s) => Object.values((s as ISecret).stringData ?? {})),
    ...Object.values(EXISTING_SECRET),
    'nats-pass',
    's3cret-pg-pass',
    SECRETS.secret.masterKey,
    SECRETS.secret.adminSecret,
  ];
  for (const cm of configMaps)
    for (const [k, v] of Object.entries((cm as IConfigMap).data ?? {}))
      for (const s of secretValues) assert.ok(!v.includes(s), `${keyOf(cm)} ${k} holds a secret value`);

  // ServiceAccount without a token.
  const [sa] = of(objs, 'ServiceAccount') as (IServiceAccount & Obj)[];
  assert.equal(sa?.automountServiceAccountToken, false);

  for (const d of deployments) {
    const spec = d.spec!;
    const pod = spec.template.spec!;
    const labels = spec.template.metadata!.labels!;
    const where = keyOf(d);
    assert.ok(matches(spec.selector.matchLabels!, labels), `${where}: selector does not match its pods`);
    assert.equal(pod.serviceAccountName, sa!.metadata.name);
    assert.equal(pod.automountServiceAccountToken, false, `${where}: token automount`);
    assert.equal(pod.enableServiceLinks, false, `${where}: service links collide with NIMBUS_* names`);
    assert.equal(labels['nimbus.dev/cluster'], variant.cluster);
    assert.equal(pod.containers.length, 1);
    const c = pod.containers[0]!;

    // The image is pinned: a release tag or a digest, never latest.
    assert.match(
      c.image!,
      /^[^:@]+(:\d+\.\d+\.\d+([-+][\w.]+)?|@sha256:[0-9a-f]{64})$/,
      `${where}: image ${c.image}`,
    );

    // Cluster name, store and NATS from the ConfigMap and the Secret; the store only from a Secret.
    const { env, fromSecret } = environment(objs, c);
    assert.equal(env.NIMBUS_CLUSTER, variant.cluster);
    assert.ok(env.NIMBUS_STORE?.startsWith('postgres://'), `${where}: NIMBUS_STORE`);
    assert.ok(
      fromSecret.has('NIMBUS_STORE') &&
        fromSecret.has('NIMBUS_MASTER_KEY') &&
        fromSecret.has('NIMBUS_ADMIN_SECRET'),
    );
    assert.ok(env.NIMBUS_NATS?.startsWith('nats://'), `${where}: NIMBUS_NATS`);
    if (env.NIMBUS_NATS!.includes('@'))
      assert.ok(fromSecret.has('NIMBUS_NATS'), `${where}: NATS credentials outside a Secret`);
    // Every NIMBUS_* name is a setting the platform reads (a misspelt one would be ignored)…
    const known = new Set(Object.values(ENV_VARS));
    for (const k of Object.keys(env)) assert.ok(known.has(k), `${where}: ${k} is not a platform setting`);
    // …and the platform's own loader accepts the whole environment, in cluster mode.
    const cfg = loadConfig({}, env);
    assert.equal(cfg.cluster, variant.cluster);
    assert.equal(cfg.host, '0.0.0.0');
    const component = labels['app.kubernetes.io/component']!;
    assert.deepEqual(
      [...cfg.roles].sort(),
      component === 'all' ? ['api', 'gateway', 'scheduler', 'worker'] : [component],
    );

    // Probes on /healthz at the API port; the named port is the configured one.
    const ports = new Map((c.ports ?? []).map((p) => [p.name!, p.containerPort]));
    assert.equal(ports.get('api'), cfg.apiPort, `${where}: api port`);
    if (ports.has('http')) assert.equal(ports.get('http'), cfg.port);
    if (ports.has('s3')) assert.equal(ports.get('s3'), cfg.s3Port);
    for (const name of ['startupProbe', 'readinessProbe', 'livenessProbe'] as const) {
      const p = c[name];
      assert.ok(p?.httpGet, `${where}: ${name} missing`);
      assert.match(p.httpGet.path!, /^\/healthz(\?|$)/, `${where}: ${name} path`);
      assert.equal(p.httpGet.port, 'api', `${where}: ${name} port`);
    }
    // Readiness fails while degraded; liveness must not (it asks for the process only).
    assert.equal(c.readinessProbe!.httpGet!.path, '/healthz');
    assert.equal(c.livenessProbe!.httpGet!.path, '/healthz?live=1');
    const live = c.livenessProbe!;
    assert.ok(
      (live.periodSeconds ?? 10) * (live.failureThreshold ?? 3) >= 120,
      `${where}: liveness too eager`,
    );

    // Memory: a limit, and the instances' budget under it with room for the platform.
    const limit = MiB(String(c.resources?.limits?.memory));
    assert.ok(
      cfg.nodeMemoryMb > 0 && cfg.nodeMemoryMb + 512 <= limit,
      `${where}: NIMBUS_NODE_MEMORY_MB vs ${limit} MiB`,
    );

    // Drain: preStop sleep and (where the gateway runs) its 30 s answer deadline fit the grace period.
    const grace = pod.terminationGracePeriodSeconds!;
    const sleep = c.lifecycle?.preStop?.sleep?.seconds ?? 0;
    assert.ok(sleep < grace, `${where}: preStop sleep ≥ grace`);
    if (ports.has('http'))
      assert.ok(grace >= sleep + cfg.gatewayTimeoutMs / 1000 + 5, `${where}: grace too short`);

    // Security context.
    const sc = c.securityContext!;
    const sandboxed = sc.runAsUser === 0;
    if (sandboxed) {
      const caps = sc.capabilities?.add ?? [];
      assert.ok(sc.privileged || caps.includes('SYS_ADMIN'), `${where}: the sandbox needs CAP_SYS_ADMIN`);
      if (!sc.privileged) assert.deepEqual(sc.capabilities?.drop, ['ALL']);
      // API server rule the schema does not carry.
      assert.notEqual(sc.allowPrivilegeEscalation, false, `${where}: rejected with SYS_ADMIN/privileged`);
      assert.equal(
        pod.securityContext?.appArmorProfile?.type,
        'Unconfined',
        `${where}: AppArmor denies mount`,
      );
      assert.notEqual(
        pod.securityContext?.seccompProfile?.type,
        'RuntimeDefault',
        `${where}: pivot_root refused`,
      );
      assert.equal(env.NIMBUS_SANDBOX, 'unshare');
    } else {
      assert.equal(pod.securityContext?.runAsNonRoot, true);
      assert.equal(sc.allowPrivilegeEscalation, false);
      assert.deepEqual(sc.capabilities?.drop, ['ALL']);
      assert.equal(sc.capabilities?.add, undefined);
      assert.equal(pod.securityContext?.seccompProfile?.type, 'RuntimeDefault');
    }
    assert.equal(sc.readOnlyRootFilesystem, true);
    const mounts = new Set((c.volumeMounts ?? []).map((m) => m.mountPath));
    for (const p of [cfg.dataDir, '/tmp', '/run']) assert.ok(mounts.has(p), `${where}: ${p} is not writable`);

    // The init script: mounted from the ConfigMap that holds it, and valid sh.
    const script = c.command?.find((a) => a.endsWith(`/${INIT_SCRIPT}`));
    if (script) {
      const mount = c.volumeMounts!.find((m) => script.startsWith(`${m.mountPath}/`))!;
      const vol = pod.volumes!.find((v) => v.name === mount.name)!;
      const cm = configMaps.find((x) => x.metadata.name === vol.configMap?.name) as IConfigMap | undefined;
      const body = cm?.data?.[INIT_SCRIPT];
      assert.ok(body, `${where}: the init script's ConfigMap is not rendered`);
      assert.equal(spawnSync('sh', ['-n'], { input: body }).status, 0, 'sandbox-init.sh: sh -n');
      assert.deepEqual(c.command!.slice(-2), ['nimbus', 'start']);
    } else {
      assert.deepEqual(c.command, ['nimbus', 'start']);
    }

    // Spreading: the anti-affinity and spread constraints select this Deployment's pods.
    const term = pod.affinity?.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution?.[0];
    assert.equal(term?.podAffinityTerm.topologyKey, 'kubernetes.io/hostname');
    assert.deepEqual(term?.podAffinityTerm.labelSelector?.matchLabels, spec.selector.matchLabels);
    assert.deepEqual(
      pod.topologySpreadConstraints?.[0]?.labelSelector?.matchLabels,
      spec.selector.matchLabels,
    );
  }

  const podsOf = (selector: Record<string, string>) =>
    deployments.filter((d) => matches(selector, d.spec!.template.metadata!.labels));

  // Services reach pods whose named ports are the configured ones.
  for (const s of of(objs, 'Service') as (IService & Obj)[]) {
    const pods = podsOf(s.spec!.selector!);
    assert.equal(pods.length, 1, `${keyOf(s)} selects ${pods.length} Deployments`);
    const c = pods[0]!.spec!.template.spec!.containers[0]!;
    for (const p of s.spec!.ports!) {
      const target = c.ports?.find((cp) => cp.name === p.targetPort);
      assert.ok(target, `${keyOf(s)} port ${p.name} → ${p.targetPort}: no such container port`);
    }
  }
  const services = new Set(of(objs, 'Service').map((s) => s.metadata.name));
  const release = variant.opts.release ?? 'nimbus';
  if (deployments.some((d) => d.spec!.template.spec!.containers[0]!.ports!.some((p) => p.name === 'http')))
    assert.ok(services.has(`${release}-gateway`));

  // HPAs scale Deployments that exist and leave them their replica count.
  for (const h of of(objs, 'HorizontalPodAutoscaler') as (IHorizontalPodAutoscaler & Obj)[]) {
    const ref = h.spec!.scaleTargetRef;
    const d = deployments.find((x) => x.metadata.name === ref.name);
    assert.ok(d && ref.kind === 'Deployment' && ref.apiVersion === 'apps/v1', `${keyOf(h)} targets nothing`);
    assert.equal(d.spec!.replicas, undefined, `${keyOf(d)}: replicas would fight the HPA`);
    assert.ok((h.spec!.minReplicas ?? 1) <= h.spec!.maxReplicas);
    assert.ok((h.spec!.metrics ?? []).length > 0);
    for (const m of h.spec!.metrics!) {
      if (m.type === 'Pods') assert.equal(m.pods?.metric.name, 'nimbus_concurrent_executions');
      if (m.type === 'External') {
        assert.equal(m.external?.metric.name, 'nimbus_async_queue_depth');
        assert.deepEqual(m.external?.metric.selector?.matchLabels, { nimbus_cluster: variant.cluster });
      }
    }
  }
  for (const d of deployments) {
    const scaled = of(objs, 'HorizontalPodAutoscaler').some(
      (h) => (h as IHorizontalPodAutoscaler).spec!.scaleTargetRef.name === d.metadata.name,
    );
    if (!scaled) assert.ok((d.spec!.replicas ?? 0) >= 1, `${keyOf(d)}: no HPA and no replicas`);
  }

  // One PDB per Deployment, selecting exactly its pods.
  const pdbs = of(objs, 'PodDisruptionBudget') as (IPodDisruptionBudget & Obj)[];
  assert.equal(pdbs.length, deployments.length);
  for (const p of pdbs) {
    const pods = podsOf(p.spec!.selector!.matchLabels!);
    assert.equal(pods.length, 1, `${keyOf(p)} selects ${pods.length} Deployments`);
    assert.equal(pods[0]!.metadata.name, p.metadata.name);
  }

  // The NetworkPolicy covers every pod, lets in every served port, lets out DNS, the store and NATS.
  for (const np of of(objs, 'NetworkPolicy') as (INetworkPolicy & Obj)[]) {
    for (const d of deployments)
      assert.ok(
        matches(np.spec!.podSelector!.matchLabels!, d.spec!.template.metadata!.labels),
        `${keyOf(np)} misses ${keyOf(d)}`,
      );
    const inPorts = new Set(np.spec!.ingress!.flatMap((r) => (r.ports ?? []).map((p) => p.port)));
    for (const d of deployments)
      for (const p of d.spec!.template.spec!.containers[0]!.ports ?? [])
        assert.ok(inPorts.has(p.containerPort), `${keyOf(np)}: ingress misses port ${p.containerPort}`);
    const outPorts = new Set(np.spec!.egress!.flatMap((r) => (r.ports ?? []).map((p) => p.port)));
    const env = environment(objs, deployments[0]!.spec!.template.spec!.containers[0]!).env;
    const store = new URL(env.NIMBUS_STORE!);
    assert.ok(outPorts.has(Number(store.port || 5432)), `${keyOf(np)}: egress misses the store's port`);
    for (const u of env.NIMBUS_NATS!.split(','))
      assert.ok(outPorts.has(Number(new URL(u.trim()).port || 4222)), `${keyOf(np)}: egress misses NATS`);
    assert.ok(outPorts.has(53));
    const internet = np.spec!.egress!.find((r) => r.to?.some((t) => t.ipBlock?.cidr === '0.0.0.0/0'));
    if (internet) {
      const except = internet.to![0]!.ipBlock!.except!;
      assert.deepEqual(except, NON_PUBLIC_IPV4);
      assert.ok(except.includes('169.254.0.0/16'), 'the metadata address must stay closed');
    }
  }
}

/** A cgroup2 hierarchy to make a throwaway cgroup in: the unified one, or v2 beside v1 (hybrid). */
function cgroup2Base(): string | undefined {
  if (existsSync('/sys/fs/cgroup/cgroup.controllers')) return '/sys/fs/cgroup';
  if (existsSync('/sys/fs/cgroup/unified/cgroup.procs')) return '/sys/fs/cgroup/unified';
  return undefined;
}

/** Root, unshare and a cgroup2 hierarchy; in CI a missing one fails instead of being skipped. */
function initScriptSkip(): string | false {
  const missing =
    process.getuid?.() !== 0
      ? 'needs root'
      : !cgroup2Base()
        ? 'needs a cgroup2 hierarchy'
        : spawnSync('sh', ['-c', 'command -v unshare']).status !== 0
          ? 'needs util-linux unshare'
          : false;
  return missing && process.env.CI !== 'true' ? missing : false;
}

// ---- the tests ------------------------------------------------------------------------------------

describe('Kubernetes deployment (deploy/)', () => {
  for (const variant of VARIANTS) {
    describe(variant.name, () => {
      const objs = applied(variant.opts);

      it('every object passes the Kubernetes OpenAPI schema (kubernetes-models)', () => {
        for (const o of objs) validateSchema(o);
      });

      it('keeps the invariants (probes, ports, selectors, config, secrets, HPA, PDB, security)', () => {
        checkInvariants(objs, variant);
      });

      it('the Helm chart renders the same objects as deploy/render.ts', () => {
        const diff = differences(chartObjects(variant.opts), objs);
        assert.deepEqual(diff, [], diff.join('\n'));
      });
    });
  }

  it('every template file produces objects, and the renderer produces each of its kinds', () => {
    const files = readdirSync(join(CHART_DIR, 'templates')).filter((f) => f.endsWith('.yaml'));
    const kindsByFile = new Map<string, Set<string>>();
    for (const v of VARIANTS) {
      let values: unknown = chartValues();
      for (const x of v.opts.values) values = mergeValues(values, x);
      for (const t of renderChart(CHART_DIR, values, { name: 'nimbus', namespace: 'nimbus' })) {
        const set = kindsByFile.get(t.file) ?? new Set();
        for (const o of t.objects) set.add(String(o.kind));
        kindsByFile.set(t.file, set);
      }
    }
    const rendered = new Set(VARIANTS.flatMap((v) => render(v.opts).map((o) => o.kind)));
    for (const f of files) {
      const kinds = kindsByFile.get(f);
      assert.ok(kinds?.size, `templates/${f} produced nothing in any variant`);
      for (const k of kinds)
        assert.ok(rendered.has(k as K8sObject['kind']), `${f}: ${k} is not produced by render.ts`);
    }
  });

  it('every value in values.yaml changes the output, the same way in the chart and the renderer', () => {
    // Mutate each leaf of values.yaml on top of bases where it can matter; both must agree, and at
    // least one base must show a change (a value nothing reads is drift too).
    const bases: ValuesInput[][] = [
      [SECRETS],
      [SECRETS, { allInOne: { enabled: true } }],
      [SECRETS, { sandbox: { seccompProfile: { type: 'Localhost', localhostProfile: 'p.json' } } }],
      [
        SECRETS,
        {
          roles: {
            api: { autoscaling: { enabled: true } },
            scheduler: { autoscaling: { enabled: true, targetQueueDepth: '5' } },
          },
        },
      ],
      [
        SECRETS,
        {
          roles: {
            gateway: { autoscaling: { enabled: false } },
            worker: { autoscaling: { enabled: false } },
          },
        },
      ],
      [SECRETS, { allInOne: { enabled: true, autoscaling: { enabled: false } } }],
    ];
    const leaves: [string[], unknown][] = [];
    const walk = (v: unknown, path: string[]) => {
      if (v && typeof v === 'object' && !Array.isArray(v) && Object.keys(v).length)
        for (const [k, x] of Object.entries(v)) walk(x, [...path, k]);
      else leaves.push([path, v]);
    };
    walk(chartValues(), []);
    const special: Record<string, (v: unknown, path: string[]) => unknown> = {
      clusterName: () => 'other_name',
      masterKey: () => Buffer.alloc(32, 9).toString('base64'),
      digest: () => `sha256:${'cd'.repeat(32)}`,
      tag: () => '0.1.1',
      url: (_v, path) =>
        path[0] === 'nats' ? 'nats://other:4222' : 'postgres://nimbus:pw@other:5432/nimbus',
      existing: () => 'managed-secret',
      type: (_v, path) => (path.includes('seccompProfile') ? 'Localhost' : 'NodePort'),
      capabilities: (v) => [...(v as string[]), 'NET_RAW'],
      imagePullSecrets: () => [{ name: 'x' }],
      tolerations: () => [{ key: 'k', operator: 'Exists' }],
      extraEgress: () => [{ to: [{ podSelector: {} }] }],
      extra: () => ({ NIMBUS_METRICS: 'off' }),
    };
    const mutate = (path: string[], v: unknown): unknown => {
      const f = special[path.at(-1)!];
      if (f) return f(v, path);
      if (typeof v === 'boolean') return !v;
      if (typeof v === 'number') return v + 1;
      if (Array.isArray(v)) return v.length ? [] : [{ podSelector: {} }];
      if (v && typeof v === 'object') return { 'example.com/x': 'y' };
      const s = String(v);
      // A quantity or a number in a string: one more of it. Anything else: another string.
      const q = /^(\d+)(m|Mi|Gi)?$/.exec(s);
      return q ? `${Number(q[1]) + 1}${q[2] ?? ''}` : `${s}x`;
    };
    // render()'s objects as plain data (the YAML round trip is the variants' business: faster here).
    const plain = (o: RenderOptions) => JSON.parse(JSON.stringify(render(o))) as Obj[];
    const baselines = bases.map((b) => plain({ values: b }));
    const silent: string[] = [];
    for (const [path, v] of leaves) {
      let changed = false;
      for (const [i, base] of bases.entries()) {
        const m = mutate(path, v);
        const over = path.reduceRight<unknown>((acc, k) => ({ [k]: acc }), m) as ValuesInput;
        const run = (f: () => Obj[]) => {
          try {
            return f();
          } catch (e) {
            if (isNimbusError(e) || e instanceof TemplateError) return 'refused';
            throw e;
          }
        };
        const mine = run(() => plain({ values: [...base, over] }));
        const chart = run(() => chartObjects({ values: [...base, over] }));
        if (mine === 'refused' || chart === 'refused') {
          assert.equal(mine, chart, `${path.join('.')}: one refused, the other did not`);
        } else {
          const diff = differences(chart, mine);
          assert.deepEqual(diff, [], `${path.join('.')} = ${JSON.stringify(m)}:\n${diff.join('\n')}`);
        }
        // Once a value showed an effect, the other bases add little but time.
        if (mine === 'refused' || differences(mine, baselines[i]!).length) {
          changed = true;
          break;
        }
      }
      if (!changed) silent.push(path.join('.'));
    }
    assert.deepEqual(silent, [], `values with no effect anywhere: ${silent.join(', ')}`);
    assert.ok(leaves.length > 80, `only ${leaves.length} leaves walked`);
  });

  it('both refuse values that cannot be deployed, for the same reasons', () => {
    const bad: [string, ValuesInput[]][] = [
      ['no secrets', []],
      ['no master key', [SECRETS, { secret: { masterKey: '' } }]],
      ['cluster name with a hyphen', [SECRETS, { clusterName: 'prod-eu' }]],
      ['image tag latest', [SECRETS, { image: { tag: 'latest' } }]],
      ['no image', [SECRETS, { image: { repository: '' } }]],
      ['config.extra sets the store', [SECRETS, { config: { extra: { NIMBUS_STORE: 'sqlite' } } }]],
      ['config.extra not NIMBUS_', [SECRETS, { config: { extra: { PATH: '/bin' } } }]],
      [
        'autoscaling without a metric',
        [SECRETS, { roles: { gateway: { autoscaling: { targetConcurrentExecutions: '' } } } }],
      ],
      [
        'no Deployment',
        [
          SECRETS,
          {
            roles: {
              gateway: { enabled: false },
              api: { enabled: false },
              worker: { enabled: false },
              scheduler: { enabled: false },
            },
          },
        ],
      ],
      [
        'podLabels overriding a selector label',
        [SECRETS, { podLabels: { 'app.kubernetes.io/component': 'x' } }],
      ],
      [
        'podAnnotations overriding the scrape',
        [SECRETS, { podAnnotations: { 'prometheus.io/scrape': 'false' } }],
      ],
      [
        'NATS credentials with an existing Secret',
        [{ secret: { existing: 's' }, nats: { url: 'nats://u:p@nats:4222' } }],
      ],
    ];
    for (const [why, values] of bad) {
      assert.throws(
        () => render({ values }),
        (e: unknown) => isNimbusError(e) && e.code === 'NIMBUS_ERR_K8S_VALUES',
        why,
      );
      assert.throws(() => chartObjects({ values }), TemplateError, why);
    }
  });

  it('the CLI prints what render() returns, and refuses bad values with a coded error', () => {
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-deploy-'));
    try {
      const file = join(dir, 'values.yaml');
      const text = `store:\n  url: ${SECRETS.store.url}\nsecret:\n  masterKey: ${MASTER_KEY}\n  adminKeyId: ${SECRETS.secret.adminKeyId}\n  adminSecret: ${SECRETS.secret.adminSecret}\n`;
      writeFileSync(file, text);
      const args = [
        'deploy/render.ts',
        '-f',
        file,
        '--set',
        'clusterName=cli_test',
        '--set',
        'roles.worker.replicas=3',
      ];
      const r = spawnSync(process.execPath, [...args, '--release', 'x', '-n', 'y'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(r.status, 0, r.stderr);
      const values = [
        parse(text, { version: '1.1' }) as ValuesInput,
        { clusterName: 'cli_test' },
        { roles: { worker: { replicas: 3 } } },
      ];
      const expected = toYaml(render({ release: 'x', namespace: 'y', values }));
      assert.equal(r.stdout, expected);
      const bad = spawnSync(process.execPath, ['deploy/render.ts', '--set', 'clusterName=Bad-Name'], {
        cwd: ROOT,
        encoding: 'utf8',
      });
      assert.equal(bad.status, 1);
      assert.match(bad.stderr, /^NIMBUS_ERR_K8S_VALUES: /);
      assert.match(bad.stderr, /clusterName: 1–40/);
      assert.match(bad.stderr, /secret\.masterKey is required/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it("the chart's NOTES.txt renders and names the release's api Service when there is one", () => {
    for (const v of VARIANTS) {
      let values: unknown = chartValues();
      for (const x of v.opts.values) values = mergeValues(values, x);
      const release = v.opts.release ?? 'nimbus';
      const notes = renderChart(CHART, values, {
        name: release,
        namespace: v.opts.namespace ?? 'nimbus',
      }).find((t) => t.file === 'NOTES.txt');
      const api = render(v.opts).some((o) => o.kind === 'Service' && o.metadata?.name === `${release}-api`);
      assert.equal(new RegExp(`svc/${release}-api `).test(notes?.text ?? ''), api);
      assert.match(notes?.text ?? '', new RegExp(`cluster "${v.cluster}"`));
    }
  });

  describe('the init script, in a simulated container (root)', { skip: initScriptSkip() }, () => {
    // A throwaway cgroup stands in for the container's; a new cgroup, mount and network namespace
    // with a read-only cgroup2 and /proc/sys for the runtime's container. Nothing of the machine's
    // own mounts, network or cgroups changes.
    const base = cgroup2Base()!;
    const cm = applied({ values: [SECRETS] }).find(
      (o) => o.metadata.name === 'nimbus-sandbox-init',
    ) as IConfigMap;
    const dir = mkdtempSync(join(tmpdir(), 'nimbus-init-'));
    const script = join(dir, INIT_SCRIPT);
    writeFileSync(script, cm.data![INIT_SCRIPT]!);
    const probe = [
      'grep ^0:: /proc/self/cgroup',
      "grep ' /sys/fs/cgroup ' /proc/self/mountinfo | tail -1 | cut -d' ' -f6 | cut -d, -f1",
      'if (echo 1 >/proc/sys/net/ipv4/ip_forward) 2>/dev/null; then echo net-rw; else echo net-ro; fi',
      'if (echo x >/proc/sys/kernel/domainname) 2>/dev/null; then echo kernel-rw; else echo kernel-ro; fi',
    ].join('; ');
    const run = (cgroupns: boolean) => {
      const cg = join(base, `nimbus-k8s-init-test-${process.pid}-${cgroupns ? 'ns' : 'host'}`);
      mkdirSync(cg);
      try {
        const inner = [
          'set -eu',
          'mount --make-rprivate /',
          'mount -t cgroup2 -o ro none /sys/fs/cgroup',
          'mount --bind /proc/sys /proc/sys',
          'mount -o remount,bind,ro /proc/sys',
          'exec sh "$0" sh -c "$1"',
        ].join('\n');
        const ns = cgroupns ? ['--cgroup', '--mount', '--net'] : ['--mount', '--net'];
        const outer = `echo $$ > ${cg}/cgroup.procs && exec unshare ${ns.join(' ')} --fork sh -c '${inner}' "$0" "$1"`;
        return spawnSync('sh', ['-c', outer, script, probe], { encoding: 'utf8' });
      } finally {
        for (const d of [join(cg, 'init'), cg]) if (existsSync(d)) rmdirSync(d);
      }
    };
    after(() => rmSync(dir, { recursive: true, force: true }));

    it("makes the cgroup tree and only the pod's net sysctls writable, moves into a leaf, execs Nimbus", () => {
      const r = run(true);
      assert.equal(r.status, 0, r.stderr);
      assert.deepEqual(r.stdout.trim().split('\n'), ['0::/init', 'rw', 'net-rw', 'kernel-ro']);
    });

    it('refuses a container without a cgroup namespace of its own', () => {
      const r = run(false);
      assert.equal(r.status, 1);
      assert.match(r.stderr, /no cgroup namespace of its own/);
      assert.equal(r.stdout, '');
    });
  });

  it('the chart deploys the release in package.json', () => {
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string };
    assert.equal(chartAppVersion(), pkg.version);
    assert.equal(chartValues().image.tag, pkg.version);
  });

  it('the image builds the web console in a build stage and carries only console/dist', async () => {
    // The Dockerfile's stages: instructions with continuations joined, comments dropped.
    const stages: { name: string | undefined; lines: string[] }[] = [];
    for (const line of readFileSync(join(ROOT, 'deploy', 'Dockerfile'), 'utf8')
      .replace(/\\\n/g, ' ')
      .split('\n')
      .map((l) => l.trim().replace(/\s+/g, ' '))
      .filter((l) => l && !l.startsWith('#'))) {
      const from = /^FROM \S+(?: AS (\S+))?$/i.exec(line);
      if (from) stages.push({ name: from[1], lines: [] });
      else stages.at(-1)?.lines.push(line);
    }
    const image = stages.at(-1)!;
    const stageOf = (copy: string | undefined) =>
      stages.find((s) => s.name === /--from=(\S+)/.exec(copy ?? '')?.[1]);

    // The runtime stage takes console/dist from a build stage, into <WORKDIR>/console/dist, which
    // is where src/console looks (console/ beside src/).
    const copy = image.lines.find((l) => /^COPY --from=\S+ \S+\/console\/dist \.\/console\/dist$/.test(l));
    assert.ok(copy, 'the image copies console/dist from the stage that builds it');
    const dir = /^COPY --from=\S+ (\S+)\/console\/dist/.exec(copy)![1]!;
    assert.ok(image.lines.includes(`WORKDIR ${dir}`) && image.lines.includes('COPY src ./src'));
    assert.equal(relative(ROOT, consolePaths().root), 'console', 'src/console serves <root>/console/dist');
    // No console sources in the image: a dist without them is current, never rebuilt, so the
    // platform never imports Vite (a dev dependency the image does not install).
    assert.deepEqual(
      image.lines.filter((l) => /^(COPY|ADD) (?!--from=)/.test(l) && /\bconsole\b/.test(l)),
      [],
    );
    const deps = stageOf(
      image.lines.find((l) => /^COPY --from=\S+ \S+\/node_modules \.\/node_modules$/.test(l)),
    );
    assert.ok(
      deps?.lines.some((l) => /^RUN npm ci --omit=dev\b/.test(l)),
      'the image has no dev dependencies',
    );
    const bare = mkdtempSync(join(tmpdir(), 'nimbus-image-console-'));
    try {
      mkdirSync(join(bare, 'dist'));
      writeFileSync(join(bare, 'dist', 'index.html'), '<!doctype html>');
      assert.equal(await staleReason(consolePaths(bare)), undefined, 'a dist alone is served as it is');
    } finally {
      rmSync(bare, { recursive: true, force: true });
    }

    // The build stage: all dependencies (Vite is a dev one), the sources, the build, and a check.
    const build = stageOf(copy)!;
    assert.ok(build, 'the stage named by --from exists');
    assert.ok(build.lines.includes(`WORKDIR ${dir}`));
    const ci = build.lines.find((l) => /^RUN npm ci\b/.test(l));
    assert.ok(
      ci && !/--omit[= ]dev|--production|--only[= ]prod/.test(ci),
      `dev dependencies installed: ${ci}`,
    );
    assert.ok(build.lines.includes('COPY console ./console'));
    const run = build.lines.find((l) => /^RUN npm run console:build\b/.test(l));
    assert.match(run ?? '', /&& test -f console\/dist\/index\.html$/, 'the build stage fails without a dist');
    const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
      scripts: Record<string, string>;
    };
    assert.equal(pkg.scripts['console:build'], 'vite build console');
    // What console/ imports from outside itself must be in the build stage too: src/ only.
    const copied = build.lines.filter((l) => /^COPY (?!--from=)/.test(l)).map((l) => l.split(' ').at(-1));
    const outside = new Set<string>();
    const walk = (d: string) => {
      for (const e of readdirSync(d, { withFileTypes: true })) {
        const f = join(d, e.name);
        if (e.isDirectory()) walk(f);
        else if (/\.tsx?$/.test(e.name))
          for (const [, spec] of readFileSync(f, 'utf8').matchAll(/\bfrom '(\.[^']+)'/g)) {
            const target = relative(ROOT, resolve(dirname(f), spec!));
            if (!target.startsWith('console/')) outside.add(target.split('/')[0]!);
          }
      }
    };
    walk(join(ROOT, 'console', 'src'));
    for (const top of outside)
      assert.ok(copied.includes(`./${top}`), `console/ imports ${top}/: the build stage copies it`);
  });
});
