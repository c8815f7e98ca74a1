/**
 * deploy/k8s/, validated without a cluster (no kubeconform in our registries): every manifest
 * parses with the apiVersion its kind has, the kustomization names exactly these files, labels
 * and selectors line up, probes hit /healthz and /readyz on the port the container's metrics
 * listen on, scrape annotations name that port, the pod runs as the image's non-root user with a
 * read-only root file system (so every path the agent writes is a mounted volume), resources are
 * set, and the ConfigMap's config passes the real config loader with the Deployment's env.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { type AgentConfig, parseConfig } from '../../src/config/load.js';
import { envNamesRead, imageFacts, isPinned, parseYamlText, REPO, readYaml, readYamlDocuments, type YamlMap } from './deploy-support.js';

const DIR = join(REPO, 'deploy', 'k8s');
const API_VERSIONS: Record<string, string> = {
  Deployment: 'apps/v1',
  ConfigMap: 'v1',
  PersistentVolumeClaim: 'v1',
  Service: 'v1',
  Kustomization: 'kustomize.config.k8s.io/v1beta1',
};
const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const QUANTITY = /^\d+(\.\d+)?(m|Ki|Mi|Gi|Ti|k|M|G|T)?$/;

interface Container {
  name: string;
  image: string;
  imagePullPolicy?: string;
  args?: string[];
  env?: { name: string; value?: string }[];
  ports: { name: string; containerPort: number }[];
  startupProbe?: { httpGet: { path: string; port: string | number } };
  livenessProbe: { httpGet: { path: string; port: string | number } };
  readinessProbe: { httpGet: { path: string; port: string | number } };
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: YamlMap & { capabilities?: { drop?: string[] } };
  volumeMounts: { name: string; mountPath: string; readOnly?: boolean }[];
}

const files = readdirSync(DIR).filter((f) => /\.ya?ml$/.test(f));
const docs = files.flatMap((f) => readYamlDocuments(join(DIR, f)).map((doc) => ({ file: f, doc })));
const one = (kind: string): YamlMap => {
  const found = docs.filter((d) => d.doc.kind === kind);
  if (found.length !== 1) throw new Error(`expected one ${kind} in deploy/k8s, found ${found.length}`);
  return found[0]?.doc as YamlMap;
};
const image = imageFacts();
const deployment = one('Deployment') as { metadata: YamlMap; spec: YamlMap & { template: { metadata: YamlMap; spec: YamlMap } } };
const podSpec = deployment.spec.template.spec as YamlMap & {
  containers: Container[];
  volumes: { name: string; persistentVolumeClaim?: { claimName: string }; configMap?: { name: string } }[];
  securityContext: YamlMap;
};
const container = podSpec.containers[0] as Container;
const podLabels = deployment.spec.template.metadata.labels as Record<string, string>;
const metricsPort = (port: string | number) =>
  typeof port === 'number' ? port : container.ports.find((p) => p.name === port)?.containerPort;
const mountOf = (path: string) => container.volumeMounts.find((m) => m.mountPath === path);
const configPath = container.args?.[container.args.indexOf('-c') + 1] ?? image.configPath;

describe('Kubernetes manifests', () => {
  it('every document has a known kind with its apiVersion, a DNS-label name, and the kustomization lists every file', () => {
    for (const { file, doc } of docs) {
      expect(API_VERSIONS[doc.kind as string], `${file}: kind ${String(doc.kind)}`).toBe(doc.apiVersion);
      if (doc.kind !== 'Kustomization') expect((doc.metadata as YamlMap).name, file).toMatch(DNS_LABEL);
    }
    const kustomization = readYaml(join(DIR, 'kustomization.yaml')) as { resources: string[] };
    expect([...kustomization.resources].sort()).toEqual(files.filter((f) => f !== 'kustomization.yaml').sort());
  });

  it('one pod, replaced by Recreate (a ReadWriteOnce volume and one agent id belong to one agent)', () => {
    expect(deployment.spec.replicas).toBe(1);
    expect((deployment.spec.strategy as YamlMap).type).toBe('Recreate');
    const pvc = one('PersistentVolumeClaim') as {
      metadata: { name: string };
      spec: { accessModes: string[]; resources: { requests: { storage: string } } };
    };
    expect(pvc.spec.accessModes).toEqual(['ReadWriteOnce']);
    expect(pvc.spec.resources.requests.storage).toMatch(QUANTITY);
  });

  it('selectors match the pod labels (Deployment and Service)', () => {
    const selector = (deployment.spec.selector as { matchLabels: Record<string, string> }).matchLabels;
    for (const [k, v] of Object.entries(selector)) expect(podLabels[k], k).toBe(v);
    const service = one('Service') as {
      spec: { selector: Record<string, string>; ports: { targetPort: string | number; port: number }[] };
    };
    for (const [k, v] of Object.entries(service.spec.selector)) expect(podLabels[k], k).toBe(v);
    for (const p of service.spec.ports) expect(metricsPort(p.targetPort)).toBe(image.metricsPort);
  });

  it('metrics listen on all interfaces at the port the probes and scrape annotations use', () => {
    const args = container.args ?? [];
    expect(args[args.indexOf('--metrics-address') + 1]).toBe(`0.0.0.0:${image.metricsPort}`);
    expect(container.livenessProbe.httpGet.path).toBe('/healthz');
    expect(container.startupProbe?.httpGet.path).toBe('/healthz');
    expect(container.readinessProbe.httpGet.path).toBe('/readyz');
    for (const probe of [container.livenessProbe, container.readinessProbe, container.startupProbe]) {
      expect(metricsPort(probe?.httpGet.port as string)).toBe(image.metricsPort);
    }
    const annotations = deployment.spec.template.metadata.annotations as Record<string, unknown>;
    expect(annotations['prometheus.io/scrape']).toBe('true');
    expect(annotations['prometheus.io/port']).toBe(String(image.metricsPort));
    expect(annotations['prometheus.io/path']).toBe('/metrics');
    for (const p of container.ports) expect(p.name.length).toBeLessThanOrEqual(15);
  });

  it("runs as the image's non-root user, read-only root file system, no privilege escalation, no capabilities", () => {
    expect(podSpec.securityContext.runAsNonRoot).toBe(true);
    expect(podSpec.securityContext.runAsUser).toBe(image.uid);
    expect(podSpec.securityContext.runAsGroup).toBe(image.gid);
    expect(container.securityContext.readOnlyRootFilesystem).toBe(true);
    expect(container.securityContext.allowPrivilegeEscalation).toBe(false);
    expect(container.securityContext.capabilities?.drop).toEqual(['ALL']);
  });

  it('sets requests and limits; pins the image; lets a drain finish', () => {
    for (const kind of ['requests', 'limits'] as const) {
      for (const r of ['cpu', 'memory']) expect(String(container.resources[kind][r]), `${kind}.${r}`).toMatch(QUANTITY);
    }
    const pkg = JSON.parse(readFileSync(join(REPO, 'package.json'), 'utf8')) as { version: string };
    expect(isPinned(container.image)).toBe(true);
    expect(container.image).toBe(`rxflume:${pkg.version}`);
    expect(container.imagePullPolicy).toBeDefined();
    expect(container.name).toMatch(DNS_LABEL);
  });

  it('mounts every image volume and /tmp (the root file system is read-only); mounts name real volumes, claims and config maps', () => {
    for (const path of [...image.volumes, '/tmp']) expect(mountOf(path), path).toBeDefined();
    expect(mountOf('/config')?.readOnly).toBe(true);
    const volumes = new Map(podSpec.volumes.map((v) => [v.name, v]));
    for (const m of container.volumeMounts) expect(volumes.has(m.name), m.name).toBe(true);
    const data = volumes.get(mountOf('/data')?.name as string);
    expect(data?.persistentVolumeClaim?.claimName).toBe((one('PersistentVolumeClaim').metadata as YamlMap).name);
    const config = volumes.get(mountOf('/config')?.name as string);
    expect(config?.configMap?.name).toBe((one('ConfigMap').metadata as YamlMap).name);
  });

  describe('the ConfigMap config', () => {
    let text: string;
    let env: Record<string, string>;
    let config: AgentConfig;

    beforeAll(() => {
      const data = (one('ConfigMap') as { data: Record<string, string> }).data;
      const key = configPath.slice(configPath.lastIndexOf('/') + 1);
      expect(configPath.startsWith(`${mountOf('/config')?.mountPath}/`)).toBe(true);
      text = data[key] as string;
      env = { ...image.env, ...Object.fromEntries((container.env ?? []).map((e) => [e.name, String(e.value)])) };
      config = parseConfig(text, `configmap:${key}`, env);
    });

    it('passes the real config loader with the Deployment env; the Deployment sets only names it reads', () => {
      const read = envNamesRead(text);
      for (const e of container.env ?? []) expect(read, e.name).toContain(e.name);
      expect(config.agent.id).toBe(env.RXFLUME_AGENT_ID);
      const hdfs = config.sinks.find((s) => s.id === 'hdfs')?.options as { url: string };
      expect(hdfs.url).toBe(env.RXFLUME_HDFS_URL);
    });

    it('keeps state, dead letters, disk buffer and inputs in the data volume', () => {
      const data = `${mountOf('/data')?.mountPath}/`;
      expect(config.agent.stateDir.startsWith(data)).toBe(true);
      expect(String((config.deadLetter as { dir: string }).dir).startsWith(data)).toBe(true);
      const status = config.sources.find((s) => s.id === 'status')?.options as { spoolDir: string };
      const driving = config.sources.find((s) => s.id === 'driving') as NonNullable<AgentConfig['sources'][number]>;
      expect(status.spoolDir.startsWith(data)).toBe(true);
      expect((driving.options as { path: string }).path.startsWith(data)).toBe(true);
      // The disk buffer's default folder is <stateDir>/buffers/<source id>.
      const buffer = driving.common.buffer as { type: string; dir?: string };
      expect(buffer.type).toBe('disk');
      expect((buffer.dir ?? config.agent.stateDir).startsWith(data)).toBe(true);
    });

    it('differs from the pilot config (config/smartcar.yaml) only in the driving buffer', () => {
      const ours = parseYamlText(text) as { sources: Record<string, YamlMap> };
      const compose = readYaml(join(REPO, 'config', 'smartcar.yaml')) as { sources: Record<string, YamlMap> };
      (ours.sources.driving as YamlMap).buffer = (compose.sources.driving as YamlMap).buffer;
      expect(ours).toEqual(compose);
    });

    it('leaves the drain its time: grace period ≥ 2 × drainTimeoutMs', () => {
      expect(podSpec.terminationGracePeriodSeconds).toBeGreaterThanOrEqual((2 * config.agent.drainTimeoutMs) / 1000);
    });
  });
});
