import { readFile } from 'node:fs/promises';
import * as Type from '../../shared/schema/index.ts';
import type { Static } from '../../shared/schema/index.ts';
import {
  defineBot,
  runChecks,
  setting,
  takeSnapshot,
  type Finding,
  type ReportError,
  unconfiguredFinding,
} from '../../shared/index.ts';
import { CHECKS, KINDS, type Snap } from './checks.ts';
import { readGateway, readStack, type DeclaredFunction } from './openfaas.ts';

const NAME = 'eco-gateway-bot';
const RUNBOOK = 'docs/network.md#eco-gateway-bot';

const SETTINGS = {
  openfaasUrl: setting.url({
    env: 'OPENFAAS_URL',
    meaning: 'OpenFaaS gateway URL; unset: the function comparison does not run (an unconfigured finding)',
  }),
  userFile: setting.file({
    env: 'ECO_GATEWAY_AUTH_USER_FILE',
    meaning:
      'file holding the gateway basic-auth user (OpenFaaS mounts it as /var/openfaas/secrets/basic-auth-user)',
  }),
  passwordFile: setting.file({
    env: 'ECO_GATEWAY_AUTH_PASSWORD_FILE',
    meaning: 'file holding the gateway basic-auth password (/var/openfaas/secrets/basic-auth-password)',
  }),
  functionNamespace: setting.string({
    env: 'OPENFAAS_FUNCTION_NAMESPACE',
    default: '',
    pattern: /^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/,
    meaning: 'namespace whose functions are listed (empty: the gateway default, openfaas-fn)',
  }),
  stackFile: setting.file({
    env: 'ECO_GATEWAY_STACK_FILE',
    meaning: "the fleet's stack.yml (or stack.ce.yml) the deployed functions are compared with",
  }),
  stackVars: setting.list({
    env: 'ECO_GATEWAY_STACK_VARS',
    default: [],
    pattern: /^[A-Za-z_][A-Za-z0-9_]*=.*$/,
    meaning:
      'KEY=VALUE pairs for the ${KEY} substitutions in stack.yml (as faas-cli takes them from its environment)',
  }),
  timeoutMs: setting.number({
    env: 'ECO_GATEWAY_TIMEOUT_MS',
    default: 5000,
    min: 100,
    max: 60000,
    integer: true,
    meaning: 'timeout of each request to the OpenFaaS gateway',
  }),
  statusGrace: setting.duration({
    env: 'ECO_GATEWAY_ROUTE_STATUS_GRACE',
    default: '5m',
    meaning: 'how long a new HTTPRoute may have no status from a Gateway before it is reported',
  }),
};

const InputSchema = Type.Object(
  {
    namespace: Type.Optional(Type.String({ pattern: '^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$' })),
    checks: Type.Optional(
      Type.Array(Type.Union(CHECKS.map((c) => Type.Literal(c.id))), { uniqueItems: true }),
    ),
  },
  { additionalProperties: false },
);

const unconfigured = (env: string, what: string): Finding =>
  unconfiguredFinding({
    bot: NAME,
    setting: env,
    message: `${env} is not set, so ${what} did not run`,
    fix: `Set ${env}`,
    runbook: RUNBOOK,
  });

async function secret(path: string | undefined): Promise<string | undefined> {
  if (path === undefined) return undefined;
  const v = (await readFile(path, 'utf8')).trim();
  return v === '' ? undefined : v;
}

export default defineBot({
  name: NAME,
  category: 'network',
  tier: 'medium',
  summary:
    "API gateway: Gateway API HTTPRoutes and Ingresses whose backends do not exist, routes not accepted by their Gateway, the OpenFaaS gateway's health and its deployed functions against stack.yml (missing, extra, other image)",
  triggers: { http: true, cron: '*/15 * * * *' },
  rbac: [
    { apiGroups: ['gateway.networking.k8s.io'], resources: ['httproutes'], verbs: ['list'] },
    { apiGroups: ['networking.k8s.io'], resources: ['ingresses'], verbs: ['list'] },
    { apiGroups: [''], resources: ['services'], verbs: ['list'] },
  ],
  mutates: false,
  input: InputSchema,
  settings: SETTINGS,
  async run(input: Static<typeof InputSchema>, ctx) {
    const s = ctx.settings;
    const findings: Finding[] = [];
    const errors: ReportError[] = [];
    const snapshot = await takeSnapshot(ctx, KINDS, input.namespace ? { namespace: input.namespace } : {});
    let functions: Snap['functions'];
    if (s.openfaasUrl === undefined) {
      findings.push(unconfigured('OPENFAAS_URL', 'the OpenFaaS gateway check'));
    } else {
      let declared: DeclaredFunction[] | undefined;
      if (s.stackFile === undefined)
        findings.push(unconfigured('ECO_GATEWAY_STACK_FILE', 'the stack.yml comparison'));
      else {
        try {
          const vars = new Map(
            s.stackVars.map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
          );
          declared = await readStack(s.stackFile, vars);
        } catch (error) {
          errors.push({ code: 'stack-unreadable', message: `${s.stackFile}: ${(error as Error).message}` });
        }
      }
      let user: string | undefined;
      let password: string | undefined;
      try {
        [user, password] = await Promise.all([secret(s.userFile), secret(s.passwordFile)]);
      } catch (error) {
        errors.push({ code: 'openfaas-auth-unreadable', message: (error as Error).message });
      }
      const read = await readGateway({
        url: s.openfaasUrl,
        ...(user !== undefined && password !== undefined
          ? { authorization: `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}` }
          : {}),
        ...(s.functionNamespace ? { namespace: s.functionNamespace } : {}),
        timeoutMs: s.timeoutMs,
        signal: ctx.signal,
      });
      if (read.ok)
        functions = {
          deployed: read.functions,
          ...(declared ? { declared } : {}),
          namespace: s.functionNamespace || 'openfaas-fn',
        };
      else errors.push({ code: read.code, message: read.message });
    }
    const snap: Snap = {
      ...snapshot,
      ...(input.namespace ? { namespace: input.namespace } : {}),
      ...(functions ? { functions } : {}),
    };
    const result = runChecks(
      ctx,
      CHECKS,
      snap,
      { statusGraceMs: s.statusGrace },
      { ...(input.checks ? { only: input.checks } : {}) },
    );
    const o = snapshot.objects;
    return {
      summary: `${o.httproutes.length} HTTPRoutes, ${o.ingresses.length} Ingresses${functions ? `, ${functions.deployed.length} OpenFaaS functions` : ''} checked; ${snapshot.findings.length + findings.length + result.findings.length} findings`,
      findings: [
        ...snapshot.findings.map((f) => ({ ...f, runbook: f.runbook ?? RUNBOOK })),
        ...findings,
        ...result.findings,
      ],
      errors: [...snapshot.errors, ...errors, ...result.errors],
    };
  },
});
