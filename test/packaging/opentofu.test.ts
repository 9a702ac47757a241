import { readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { opentofuFiles } from '../../scripts/generate/opentofu.ts';
import { NAMESPACE_TIERS } from '../../scripts/generate/tiers.ts';
import { checkModule, declarations } from './hcl-check.ts';
import type { HclFile } from './hcl-check.ts';
import { ROOT } from './helpers.ts';

async function committedModule(): Promise<HclFile[]> {
  const dir = join(ROOT, 'deploy/opentofu');
  const names = (await readdir(dir)).filter((n) => n.endsWith('.tf')).sort();
  return Promise.all(
    names.map(async (name) => ({ path: name, content: await readFile(join(dir, name), 'utf8') })),
  );
}

describe('deploy/opentofu', () => {
  it('parses and references only declared variables, locals, resources and data sources', async () => {
    const files = await committedModule();
    expect(files.map((f) => f.path)).toEqual([
      'monitoring.tf',
      'namespace.tf',
      'outputs.tf',
      'tiers.tf',
      'variables.tf',
      'versions.tf',
    ]);
    expect(checkModule(files)).toEqual([]);
  });

  it('declares what the seed\u2019s example passes, with the tier validated', async () => {
    const { decl } = declarations(await committedModule());
    expect([...decl.variables]).toEqual(expect.arrayContaining(['namespace', 'resource_tier']));
    const variables = opentofuFiles().find((f) => f.path.endsWith('variables.tf'))?.content ?? '';
    expect(variables).toContain('condition     = contains(["small", "medium", "large"], var.resource_tier)');
    const tiers = opentofuFiles().find((f) => f.path.endsWith('tiers.tf'))?.content ?? '';
    expect(tiers).toContain(`requests_cpu    = "${NAMESPACE_TIERS.medium.requestsCpu}"`);
  });

  it('uses only the kubernetes, helm and random providers: no AWS, Google, Azure or Vault', async () => {
    const { decl } = declarations(await committedModule());
    expect(Object.fromEntries(decl.providerSources)).toEqual({
      kubernetes: 'hashicorp/kubernetes',
      helm: 'hashicorp/helm',
      random: 'hashicorp/random',
    });
    expect([...decl.resources].some((r) => r.startsWith('kubernetes_namespace_v1.'))).toBe(true);
    expect([...decl.resources].some((r) => r.startsWith('helm_release.'))).toBe(true);
  });

  it('the monitoring stack reads the generated rules, Alertmanager config, scrape jobs and dashboard', async () => {
    const monitoring = (await committedModule()).find((f) => f.path === 'monitoring.tf')?.content ?? '';
    for (const path of [
      'monitoring/rules.yml',
      'monitoring/alertmanager.yml',
      'monitoring/scrape-configs.yml',
      'grafana/eco-bots-fleet.json',
    ]) {
      expect(monitoring).toContain(path);
    }
  });
});

describe('the HCL checker has teeth', () => {
  const base: HclFile = {
    path: 'main.tf',
    content: [
      'terraform {',
      '  required_providers {',
      '    kubernetes = {',
      '      source = "hashicorp/kubernetes"',
      '    }',
      '  }',
      '}',
      'variable "namespace" {',
      '  type = string',
      '}',
      'locals {',
      '  name = "x-${var.namespace}"',
      '}',
      'resource "kubernetes_namespace_v1" "this" {',
      '  metadata {',
      '    name = local.name',
      '  }',
      '}',
      '',
    ].join('\n'),
  };

  it('accepts a small valid module', () => {
    expect(checkModule([base])).toEqual([]);
  });

  it('reports undeclared variables, locals, resources and data sources, also inside interpolations', () => {
    const broken: HclFile = {
      path: 'broken.tf',
      content: [
        'output "x" {',
        '  value = "${var.missing}-${local.nope}"',
        '}',
        'output "y" {',
        '  value = kubernetes_secret_v1.absent.metadata[0].name',
        '}',
        'output "z" {',
        '  value = data.kubernetes_namespace_v1.gone.id',
        '}',
        '# var.in_a_comment is ignored',
        'output "w" {',
        '  value = "kubernetes_namespace_v1.in_a_string is text"',
        '}',
        '',
      ].join('\n'),
    };
    expect(checkModule([base, broken])).toEqual([
      'broken.tf: undeclared variable var.missing',
      'broken.tf: undeclared local local.nope',
      'broken.tf: undeclared data source data.kubernetes_namespace_v1.gone',
      'broken.tf: undeclared resource kubernetes_secret_v1.absent',
    ]);
  });

  it('reports unbalanced blocks and unclosed strings', () => {
    expect(checkModule([{ path: 'a.tf', content: 'variable "x" {\n  type = string\n' }]).join()).toContain(
      'unclosed bracket',
    );
    expect(
      checkModule([{ path: 'b.tf', content: 'variable "x" {\n  default = "abc\n}\n' }]).join(),
    ).toContain('string not closed');
  });

  it('reports prohibited providers and resource types', () => {
    const aws: HclFile = {
      path: 'aws.tf',
      content: [
        'terraform {',
        '  required_providers {',
        '    aws = {',
        '      source = "hashicorp/aws"',
        '    }',
        '  }',
        '}',
        'resource "aws_s3_bucket" "b" {',
        '}',
        'provider "vault" {',
        '}',
        '',
      ].join('\n'),
    };
    const problems = checkModule([aws]);
    expect(problems).toContain('prohibited provider aws (hashicorp/aws)');
    expect(problems).toContain('prohibited provider block "vault"');
    expect(problems).toContain('prohibited resource type aws_s3_bucket');
  });
});
