// eco-iacode-bot: Kubernetes YAML against the 1.35 API (kube-score stable-version, Kyverno
// check-deprecated-apis, strict field validation), .tf (prohibited providers, HashiCorp backends),
// Dockerfiles and apko (Wolfi base, hadolint DL3007 :latest, DL3002 root user), each finding on
// `File <path>` with its line; a directory under ECO_IAC_PATH; a file that does not parse.
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import bot, { kindOf, lintFile } from '../../functions/eco-iacode-bot/handler.ts';
import { normaliseProvider } from '../../functions/eco-iacode-bot/terraform.ts';
import { runBot } from '../../shared/runtime/index.ts';
import { silentLogger } from '../../shared/log/index.ts';

const got = (path: string, content: string): string[] =>
  lintFile(path, content).map((p) => `${p.check}@${p.line}`);

describe('Kubernetes YAML against 1.35', () => {
  it.each([
    [
      'removed apiVersion (deprecation guide: batch/v1beta1 CronJob gone in 1.25)',
      'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\nspec:\n  schedule: "* * * * *"\n',
      ['iac.removed-api@1'],
    ],
    [
      'removed extensions/v1beta1 Ingress in the second document',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: a\n---\napiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: b\n',
      ['iac.removed-api@6'],
    ],
    [
      'deprecated (still served) v1 Endpoints',
      'apiVersion: v1\nkind: Endpoints\nmetadata:\n  name: e\n',
      ['iac.deprecated-api@1'],
    ],
    [
      'unknown fields (typo replica, container imagePullPolicey) at their lines',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replica: 2\n  selector:\n    matchLabels: {app: web}\n  template:\n    metadata:\n      labels: {app: web}\n    spec:\n      containers:\n        - name: web\n          image: nginx:1.27\n          imagePullPolicey: Always\n',
      ['iac.unknown-field@6', 'iac.unknown-field@16'],
    ],
    [
      'missing selector and template (required by apps/v1)',
      'apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: web\nspec:\n  replicas: 1\n',
      ['iac.missing-field@5', 'iac.missing-field@5'],
    ],
    [
      'a valid Service is clean',
      'apiVersion: v1\nkind: Service\nmetadata:\n  name: s\nspec:\n  selector: {app: s}\n  ports: [{port: 80}]\n',
      [],
    ],
    [
      'YAML that is not Kubernetes (a workflow) is left alone',
      'on: push\njobs:\n  build: {runs-on: ubuntu-latest}\n',
      [],
    ],
    [
      'YAML that does not parse is a finding, not a crash',
      'apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: [unclosed\n',
      ['iac.parse-error@5'], // where the parser noticed: the end of input,
    ],
  ])('%s', (_n, content, expected) => {
    expect(got('deploy/app.yaml', content)).toEqual(expected);
  });
});

describe('.tf files', () => {
  it.each([
    ['registry.opentofu.org/hashicorp/aws', 'hashicorp/aws'],
    ['registry.terraform.io/hashicorp/google', 'hashicorp/google'],
    ['aws', 'hashicorp/aws'],
    ['Hashicorp/Vault', 'hashicorp/vault'],
  ])('normalises %s to %s', (a, b) => expect(normaliseProvider(a)).toBe(b));

  it('finds FAGAM and Vault providers, resources of them, and HashiCorp/FAGAM backends; skips comments', () => {
    const tf = [
      'terraform {',
      '  cloud {',
      '    organization = "acme"',
      '  }',
      '  required_providers {',
      '    aws = { source = "hashicorp/aws" }',
      '    kubernetes = { source = "hashicorp/kubernetes" }',
      '  }',
      '}',
      'provider "google" {}',
      '# provider "azurerm" {}',
      'resource "aws_s3_bucket" "b" {}',
      'resource "kubernetes_namespace" "n" {}',
      'provider "vault" {}',
      'terraform {',
      '  backend "s3" {}',
      '}',
    ].join('\n');
    expect(got('infra/main.tf', tf)).toEqual([
      'iac.hashicorp-backend@2',
      'iac.prohibited-provider@6',
      'iac.prohibited-provider@10',
      'iac.prohibited-provider@12',
      'iac.prohibited-provider@14',
      'iac.hashicorp-backend@16',
    ]);
    expect(
      got('infra/ok.tf', 'terraform {\n  backend "kubernetes" {}\n}\nprovider "kubernetes" {}\n'),
    ).toEqual([]);
  });
});

describe('Dockerfiles and apko', () => {
  it.each([
    [
      'non-Wolfi base, latest, no USER',
      'FROM ubuntu\nRUN apt-get update\n',
      ['iac.non-wolfi-base@1', 'iac.latest-tag@1', 'iac.no-user@1'],
    ],
    [
      'root user in the final stage',
      'FROM cgr.dev/chainguard/wolfi-base:latest@sha256:abc AS build\nFROM cgr.dev/chainguard/static:1.0\nUSER root\n',
      ['iac.root-user@3'],
    ],
    [
      'multi-stage: a stage reference is not a base; non-root user',
      'FROM cgr.dev/chainguard/go:1.23 AS build\nRUN go build\nFROM build\nUSER 65532\n',
      [],
    ],
    [
      'continuation lines keep the instruction line',
      'FROM cgr.dev/chainguard/wolfi-base:20250101\nRUN apk add \\\n  curl\nUSER \\\n  0\n',
      ['iac.root-user@4'],
    ],
  ])('Dockerfile: %s', (_n, content, expected) => {
    expect(got('images/Dockerfile', content)).toEqual(expected);
  });
  it('apko: a non-Wolfi repository and no run-as', () => {
    const apko =
      'contents:\n  repositories:\n    - https://dl-cdn.alpinelinux.org/alpine/v3.20/main\n  packages: [busybox]\nentrypoint:\n  command: /bin/sh\n';
    expect(got('images/base.apko.yaml', apko)).toEqual(['iac.non-wolfi-base@3', 'iac.no-user@1']);
    const ok =
      'contents:\n  repositories: [https://packages.wolfi.dev/os]\n  packages: [wolfi-base]\naccounts:\n  users: [{username: nonroot, uid: 65532}]\n  run-as: 65532\n';
    expect(got('apko.yaml', ok)).toEqual([]);
  });
  it.each([
    ['Dockerfile', 'dockerfile'],
    ['build/app.Dockerfile', 'dockerfile'],
    ['apko.yaml', 'apko'],
    ['deploy/x.yml', 'kubernetes'],
    ['main.tf', 'terraform'],
    ['README.md', 'other'],
  ])('%s is %s', (path, kind) => expect(kindOf(path)).toBe(kind));
});

const invoke = (input: unknown, env: Record<string, string> = {}) =>
  runBot(bot, input, { env, log: silentLogger, trigger: 'http' });

describe('eco-iacode-bot runs', () => {
  it('names each file as File <path> with the line in evidence', async () => {
    const report = await invoke({
      files: [
        {
          path: 'deploy/cron.yaml',
          content: 'apiVersion: batch/v1beta1\nkind: CronJob\nmetadata:\n  name: x\n',
        },
        { path: 'Dockerfile', content: 'FROM cgr.dev/chainguard/wolfi-base:1\nUSER 65532\n' },
      ],
    });
    expect(report.findings.map((f) => f.object)).toEqual([
      { apiVersion: 'eco.bsw-arch.org/v1', kind: 'File', name: 'deploy/cron.yaml' },
    ]);
    expect(report.findings[0]?.evidence).toMatchObject({
      line: 1,
      apiVersion: 'batch/v1beta1',
      removedIn: '1.25',
    });
    expect(report.data).toMatchObject({ files: 2, byKind: { kubernetes: 1, dockerfile: 1 } });
  });

  it('with {} and no ECO_IAC_PATH: one info finding naming the setting', async () => {
    const report = await invoke({});
    expect(report.findings.map((f) => [f.check, f.severity, f.object.name])).toEqual([
      ['eco-iacode-bot.unconfigured', 'info', 'ECO_IAC_PATH'],
    ]);
  });

  it('lints a repository under ECO_IAC_PATH, skipping .git and node_modules', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'eco-iac-'));
    try {
      await mkdir(join(dir, 'deploy'), { recursive: true });
      await mkdir(join(dir, 'node_modules', 'x'), { recursive: true });
      await writeFile(
        join(dir, 'deploy', 'ing.yaml'),
        'apiVersion: networking.k8s.io/v1beta1\nkind: Ingress\nmetadata:\n  name: i\n',
      );
      await writeFile(
        join(dir, 'node_modules', 'x', 'bad.yaml'),
        'apiVersion: extensions/v1beta1\nkind: Ingress\nmetadata:\n  name: j\n',
      );
      await writeFile(join(dir, 'main.tf'), 'provider "azurerm" {}\n');
      const report = await invoke({}, { ECO_IAC_PATH: dir });
      expect(report.findings.map((f) => `${f.check} ${f.object.name}`).sort()).toEqual([
        'iac.prohibited-provider main.tf',
        'iac.removed-api deploy/ing.yaml',
      ]);
      const missing = await invoke({}, { ECO_IAC_PATH: join(dir, 'nope') });
      expect(missing.errors.map((e) => e.code)).toEqual(['iac-path-unavailable']);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('a bad option is a 400 naming the field', async () => {
    await expect(invoke({ files: [{ path: '', content: '' }] })).rejects.toThrow(/files/);
  });
});
