import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { haproxyConfig } from '../src/replica/haproxy-config.js';
import { CLI } from './helpers/mcp.js';

// The shipped deployment files (deploy/), checked by the generator and HAProxy itself. The replicas end to end,
// behind a real HAProxy: replicas.test.ts; their handles and shared records in process: unit/replica.test.ts.
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const deployFile = (file: string) => path.join(ROOT, 'deploy', file);

/** haproxy -c: HAProxy itself accepts the configuration (unresolvable Kubernetes names only warn). */
function haproxyAccepts(config: string): void {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cua-haproxy-')), 'haproxy.cfg');
  fs.writeFileSync(file, config);
  const checked = spawnSync('haproxy', ['-c', '-f', file], { encoding: 'utf8' });
  fs.rmSync(path.dirname(file), { recursive: true });
  assert.equal(checked.status, 0, checked.stderr);
}

describe('the shipped deployment files', () => {
  test('deploy/haproxy/cua-mcp.cfg is what cua-mcp haproxy-config prints for two replicas, and HAProxy accepts it', () => {
    const printed = execFileSync(
      process.execPath,
      [CLI, 'haproxy-config', '--listen', '127.0.0.1:8100', 'r1=127.0.0.1:8101', 'r2=127.0.0.1:8102'],
      { encoding: 'utf8' },
    );
    assert.equal(fs.readFileSync(deployFile('haproxy/cua-mcp.cfg'), 'utf8'), printed);
    haproxyAccepts(printed);
    const refused = spawnSync(process.execPath, [CLI, 'haproxy-config', 'r1=nowhere'], { encoding: 'utf8' });
    assert.equal(refused.status, 2);
    assert.match(refused.stderr, /"r1=nowhere" is not NAME=HOST:PORT\nusage: cua-mcp haproxy-config/);
  });

  test('the Kubernetes manifests parse, name each other consistently, and route to every replica the StatefulSet runs', () => {
    // python3-yaml (Debian): no YAML parser among our npm packages, and kubectl needs a cluster to check more.
    const json = execFileSync(
      'python3',
      ['-c', 'import json, sys, yaml; print(json.dumps([d for d in yaml.safe_load_all(sys.stdin) if d]))'],
      {
        input: fs.readFileSync(deployFile('kubernetes/cua-mcp.yaml')),
        encoding: 'utf8',
      },
    );
    type Doc = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> }; // eslint-disable-line @typescript-eslint/no-explicit-any
    const docs = JSON.parse(json) as Doc[];
    const of = (kind: string, name: string) => docs.find((d) => d.kind === kind && d.metadata.name === name)!;
    const replicas = of('StatefulSet', 'cua-mcp');
    const headless = of('Service', replicas.spec.serviceName);
    assert.equal(headless.spec.clusterIP, 'None');
    assert.deepEqual(headless.spec.selector, replicas.spec.template.metadata.labels);
    assert.deepEqual(replicas.spec.selector.matchLabels, replicas.spec.template.metadata.labels);
    const container = replicas.spec.template.spec.containers[0];
    assert.deepEqual(container.env.find((e: { name: string }) => e.name === 'CUA_REPLICA').valueFrom, {
      fieldRef: { fieldPath: 'metadata.name' },
    });
    assert.equal(replicas.spec.template.spec.securityContext.runAsNonRoot, true);
    const shared = replicas.spec.template.spec.volumes.find((v: { name: string }) => v.name === 'shared');
    assert.deepEqual(of('PersistentVolumeClaim', shared.persistentVolumeClaim.claimName).spec.accessModes, ['ReadWriteMany']);

    const names = Array.from({ length: replicas.spec.replicas as number }, (_, i) => `cua-mcp-${i}`);
    const expected = haproxyConfig({
      listen: ':8080',
      dns: true,
      replicas: names.map((name) => ({
        name,
        address: `${name}.${headless.metadata.name}.default.svc.cluster.local:${container.ports[0].containerPort}`,
      })),
    });
    assert.equal(of('ConfigMap', 'cua-mcp-haproxy').data!['haproxy.cfg'], expected);
    haproxyAccepts(expected);
    const router = of('Deployment', 'cua-mcp-haproxy');
    assert.deepEqual(of('Service', 'cua-mcp').spec.selector, router.spec.template.metadata.labels);
    assert.equal(of('Ingress', 'cua-mcp').spec.rules[0].http.paths[0].backend.service.name, 'cua-mcp');
  });
});
