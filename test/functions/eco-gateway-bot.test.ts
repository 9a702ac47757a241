import { createServer, type Server } from 'node:http';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import bot from '../../functions/eco-gateway-bot/handler.ts';
import { CHECKS, type Snap } from '../../functions/eco-gateway-bot/checks.ts';
import {
  normalizeImage,
  substitute,
  type DeployedFunction,
} from '../../functions/eco-gateway-bot/openfaas.ts';
import type { KubeObject } from '../../shared/k8s/types.ts';
import { startBotHarness, type BotHarness } from '../helpers/k8s-harness.ts';
import { ingress, ns, snapshotOf, svc } from './network/objects.ts';

const NOW = new Date('2026-06-01T12:00:00Z');
const STACK = join(import.meta.dirname, '../../stack.yml');
const VARS = 'REGISTRY=registry.test/eco,TAG=0.1.0';

// The gateway API CRDs as the Gateway API release installs them (schemas reduced: the emulator
// does not validate custom resources).
const crd = (plural: string, kind: string): KubeObject => ({
  apiVersion: 'apiextensions.k8s.io/v1',
  kind: 'CustomResourceDefinition',
  metadata: { name: `${plural}.gateway.networking.k8s.io` },
  spec: {
    group: 'gateway.networking.k8s.io',
    names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase() },
    scope: 'Namespaced',
    versions: [
      {
        name: 'v1',
        served: true,
        storage: true,
        schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
        subresources: { status: {} },
      },
    ],
  },
});
const route = (
  name: string,
  backends: { name: string; port?: number; namespace?: string }[],
  status?: unknown,
  created = '2026-05-01T00:00:00Z',
): KubeObject => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { name, namespace: 'web', creationTimestamp: created },
  spec: {
    parentRefs: [{ name: 'edge' }],
    hostnames: [`${name}.example.test`],
    rules: [{ backendRefs: backends }],
  },
  ...(status === undefined ? {} : { status }),
});
const accepted = (ok: boolean, reason = 'Accepted') => ({
  parents: [
    {
      parentRef: { name: 'edge' },
      controllerName: 'example.test/gateway',
      conditions: [
        {
          type: 'Accepted',
          status: ok ? 'True' : 'False',
          reason: ok ? 'Accepted' : reason,
          message: ok ? '' : 'listener hostname does not match',
        },
        { type: 'ResolvedRefs', status: 'True', reason: 'ResolvedRefs' },
      ],
    },
  ],
});

describe('HTTPRoutes (Gateway API status; Popeye 1401/1402 for backendRefs)', () => {
  const services = [svc('web', 'shop', { ports: [{ port: 80 }] })];
  const snap = (routes: KubeObject[]): Snap =>
    snapshotOf({ httproutes: routes, ingresses: [], services }) as unknown as Snap;
  const ids = (s: Snap) =>
    CHECKS.flatMap((c) => [...c.run(s, { statusGraceMs: 300_000 }, NOW)].map(() => c.id));
  it.each([
    ['accepted, existing backend', [route('a', [{ name: 'shop', port: 80 }], accepted(true))], []],
    [
      'backend Service missing',
      [route('a', [{ name: 'gone', port: 80 }], accepted(true))],
      ['gateway.route-missing-backend'],
    ],
    [
      'backend port missing',
      [route('a', [{ name: 'shop', port: 8080 }], accepted(true))],
      ['gateway.route-missing-backend'],
    ],
    [
      'cross-namespace backend missing',
      [route('a', [{ name: 'shop', port: 80, namespace: 'other' }], accepted(true))],
      ['gateway.route-missing-backend'],
    ],
    [
      'not accepted (NotAllowedByListeners)',
      [route('a', [{ name: 'shop', port: 80 }], accepted(false, 'NotAllowedByListeners'))],
      ['gateway.route-not-accepted'],
    ],
    ['no status after a month', [route('a', [{ name: 'shop', port: 80 }])], ['gateway.route-not-accepted']],
    [
      'no status, 1 minute old (grace)',
      [route('a', [{ name: 'shop', port: 80 }], undefined, '2026-06-01T11:59:00Z')],
      [],
    ],
  ])('%s', (_t, routes, expected) => {
    expect(ids(snap(routes))).toEqual(expected);
  });
  it('a run scoped to one namespace does not judge refs to Services it did not read', () => {
    const s = {
      ...snap([route('a', [{ name: 'shop', port: 80, namespace: 'other' }], accepted(true))]),
      namespace: 'web',
    };
    expect(ids(s)).toEqual([]);
  });
});

describe('stack.yml reading (faas-cli substitution) and image comparison', () => {
  it.each([
    ['${REGISTRY:-ghcr.io/x}/a:${TAG:-latest}', 'ghcr.io/x/a:latest'],
    ['${REGISTRY:-ghcr.io/x}/a:${TAG}', 'registry.test/eco/a:'],
  ])('%s', (text, expected) => {
    expect(
      substitute(text, new Map([['REGISTRY', text.endsWith('${TAG}') ? 'registry.test/eco' : '']])),
    ).toBe(expected);
  });
  it.each([
    ['nginx', 'nginx:latest'],
    ['docker.io/library/nginx:1.27', 'nginx:1.27'],
    ['registry.test:5000/eco/a', 'registry.test:5000/eco/a:latest'],
    ['ghcr.io/x/a@sha256:abc', 'ghcr.io/x/a@sha256:abc'],
  ])('%s -> %s', (image, expected) => {
    expect(normalizeImage(image)).toBe(expected);
  });
});

// A local responder that follows the OpenFaaS gateway's published API: GET /healthz, and
// GET /system/functions (basic auth) answering FunctionStatus JSON.
let gateway: Server;
let gatewayUrl = '';
let deployed: DeployedFunction[] = [];
let healthStatus = 200;
let dir = '';
let declaredNames: string[] = [];
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'eco-gateway-bot-'));
  await writeFile(join(dir, 'user'), 'admin\n');
  await writeFile(join(dir, 'password'), 's3cret\n');
  const stack = parse(
    substitute(
      await readFile(STACK, 'utf8'),
      new Map([
        ['REGISTRY', 'registry.test/eco'],
        ['TAG', '0.1.0'],
      ]),
    ),
  ) as {
    functions: Record<string, { image: string }>;
  };
  declaredNames = Object.keys(stack.functions);
  gateway = createServer((req, res) => {
    if (req.url === '/healthz') {
      res.writeHead(healthStatus).end('OK');
      return;
    }
    if (req.headers.authorization !== `Basic ${Buffer.from('admin:s3cret').toString('base64')}`) {
      res.writeHead(401, { 'www-authenticate': 'Basic realm="Restricted"' }).end('Unauthorized');
      return;
    }
    if (req.url?.startsWith('/system/functions')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(deployed));
      return;
    }
    res.writeHead(404).end();
  });
  await new Promise<void>((resolve) => gateway.listen(0, '127.0.0.1', resolve));
  const address = gateway.address();
  gatewayUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  // Every declared function but the first; the second on another tag; one extra; one wanted but down.
  const [, second, third] = declaredNames;
  deployed = declaredNames.slice(1).map((name) => ({
    name,
    image: name === second ? `registry.test/eco/${name}:0.0.9` : (stack.functions[name]?.image ?? ''),
    namespace: 'openfaas-fn',
    replicas: name === third ? 1 : 0,
    availableReplicas: 0,
  }));
  deployed.push({
    name: 'figlet',
    image: 'ghcr.io/openfaas/figlet:latest',
    namespace: 'openfaas-fn',
    replicas: 1,
    availableReplicas: 1,
  });
});
afterAll(async () => {
  await new Promise<void>((resolve) => gateway?.close(() => resolve()));
  if (dir) await rm(dir, { recursive: true, force: true });
});

let harness: BotHarness | undefined;
afterEach(async () => {
  await harness?.close();
  harness = undefined;
  healthStatus = 200;
});

const env = (): Record<string, string> => ({
  OPENFAAS_URL: gatewayUrl,
  ECO_GATEWAY_AUTH_USER_FILE: join(dir, 'user'),
  ECO_GATEWAY_AUTH_PASSWORD_FILE: join(dir, 'password'),
  ECO_GATEWAY_STACK_FILE: STACK,
  ECO_GATEWAY_STACK_VARS: VARS,
});

describe('eco-gateway-bot with its own RBAC', () => {
  it('without the Gateway API: api-missing, Ingress backends still checked, OpenFaaS unconfigured', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      objects: [
        ns('web'),
        ingress('web', 'old', { rules: [{ host: 'a.test', paths: [{ service: 'gone', port: 80 }] }] }),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    expect(report.findings.map((f) => `${f.check} ${f.object.kind} ${f.object.name}`).sort()).toEqual([
      'eco-gateway-bot.api-missing CustomResourceDefinition httproutes.gateway.networking.k8s.io',
      'eco-gateway-bot.unconfigured Setting OPENFAAS_URL',
      'gateway.ingress-missing-backend Ingress old',
    ]);
    expect(harness.emulator.requests.filter((r) => r.status === 403)).toEqual([]);
  });

  it('with the Gateway API CRD and the OpenFaaS responder: routes, and functions against the real stack.yml', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      env: env(),
      objects: [
        ns('web'),
        crd('httproutes', 'HTTPRoute'),
        svc('web', 'shop', { ports: [{ port: 80 }] }),
        route('shop', [{ name: 'shop', port: 80 }], accepted(true)),
        route('broken', [{ name: 'nowhere', port: 80 }], accepted(false, 'NoMatchingListenerHostname')),
      ],
    });
    const report = await harness.run({});
    expect(report.errors).toEqual([]);
    const [first, second, third] = declaredNames;
    expect(report.findings.map((f) => `${f.check} ${f.object.name}`).sort()).toEqual(
      [
        `gateway.function-missing ${first}`,
        `gateway.function-image ${second}`,
        `gateway.function-unavailable ${third}`,
        'gateway.function-extra figlet',
        'gateway.route-missing-backend broken',
        'gateway.route-not-accepted broken',
      ].sort(),
    );
    expect(report.findings.find((f) => f.check === 'gateway.function-image')?.evidence).toEqual({
      deployedImage: `registry.test/eco/${second}:0.0.9`,
      declaredImage: `registry.test/eco/${second}:0.1.0`,
    });
  });

  it('a failing gateway is a report error naming the system and status; wrong credentials too', async () => {
    healthStatus = 503;
    harness = await startBotHarness(bot, { now: () => NOW, env: env(), objects: [ns('web')] });
    const down = await harness.run({ checks: ['gateway.function-missing'] });
    expect(down.errors.map((e) => e.code)).toEqual(['openfaas-http-503']);
    healthStatus = 200;
    await writeFile(join(dir, 'password'), 'wrong\n');
    const denied = await harness.run({ checks: ['gateway.function-missing'] });
    await writeFile(join(dir, 'password'), 's3cret\n');
    expect(denied.errors.map((e) => e.code)).toEqual(['openfaas-http-401']);
    expect(denied.findings.filter((f) => f.check.startsWith('gateway.'))).toEqual([]);
  });

  it('an unreachable gateway is openfaas-unavailable within the timeout', async () => {
    harness = await startBotHarness(bot, {
      now: () => NOW,
      env: { ...env(), OPENFAAS_URL: 'http://127.0.0.1:9', ECO_GATEWAY_TIMEOUT_MS: '500' },
      objects: [ns('web')],
    });
    const report = await harness.run({ checks: ['gateway.function-missing'] });
    expect(report.errors.map((e) => e.code)).toEqual(['openfaas-unavailable']);
  });
});
