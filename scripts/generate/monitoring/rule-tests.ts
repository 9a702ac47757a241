import { ALERT_RULES, renderAnnotations } from './rules.ts';

interface Series {
  series: string;
  values: string;
}

interface Expectation {
  eval_time: string;
  alertname: string;
  /** Labels of the alerts expected to be firing (empty: none). */
  firing: Record<string, string>[];
}

interface TestCase {
  name: string;
  series: Series[];
  expect: Expectation[];
}

const POD = { namespace: 'apps', pod: 'api-7d9f', container: 'api' };
const POD_LABELS = 'namespace="apps", pod="api-7d9f", container="api"';

/** CPU at `percent` of a 1-core limit: the counter grows percent/100 CPU-seconds per second. */
function cpu(percent: number): Series[] {
  return [
    {
      series: `container_cpu_usage_seconds_total{${POD_LABELS}, image="api:1", job="cadvisor"}`,
      values: `0+${(percent * 0.6).toFixed(1)}x30`,
    },
    {
      series: `kube_pod_container_resource_limits{${POD_LABELS}, resource="cpu", unit="core"}`,
      values: '1x30',
    },
  ];
}

function memory(percent: number): Series[] {
  return [
    {
      series: `container_memory_working_set_bytes{${POD_LABELS}, image="api:1", job="cadvisor"}`,
      values: `${percent * 10_000_000}x30`,
    },
    {
      series: `kube_pod_container_resource_limits{${POD_LABELS}, resource="memory", unit="byte"}`,
      values: '1000000000x30',
    },
  ];
}

function restarts(values: string): Series[] {
  return [{ series: `kube_pod_container_status_restarts_total{${POD_LABELS}, uid="u1"}`, values }];
}

const BIG = 'ghcr.io/acme/fat:1.0';

function imageSize(bytes: number, values?: string): Series[] {
  return [
    {
      series: `eco_container_image_size_bytes{image="${BIG}", node="n1", source="node"}`,
      values: values ?? `${bytes}x30`,
    },
  ];
}

/** `errorsPerMinute` of 100 invocations a minute fail. */
function gateway(errorsPerMinute: number): Series[] {
  return [
    {
      series: 'gateway_function_invocation_total{function_name="eco-cleanup-bot.openfaas-fn", code="200"}',
      values: `0+${100 - errorsPerMinute}x30`,
    },
    {
      series: 'gateway_function_invocation_total{function_name="eco-cleanup-bot.openfaas-fn", code="500"}',
      values: `0+${errorsPerMinute}x30`,
    },
  ];
}

function botCounter(errorsPerMinute: number): Series[] {
  return [
    {
      series: 'eco_bot_invocations_total{bot="eco-cleanup-bot", trigger="http", outcome="ok"}',
      values: `0+${100 - errorsPerMinute}x30`,
    },
    {
      series: 'eco_bot_invocations_total{bot="eco-cleanup-bot", trigger="http", outcome="error"}',
      values: `0+${errorsPerMinute}x30`,
    },
  ];
}

/** The cases the issue names: each alert fires just over its threshold and stays quiet just under. */
export const RULE_TEST_CASES: readonly TestCase[] = [
  {
    name: 'HighCPUUsage fires at 81% of the limit after 5 minutes, not before',
    series: cpu(81),
    expect: [
      { eval_time: '4m', alertname: 'HighCPUUsage', firing: [] },
      { eval_time: '10m', alertname: 'HighCPUUsage', firing: [{ ...POD }] },
    ],
  },
  {
    name: 'HighCPUUsage stays quiet at 79% of the limit',
    series: cpu(79),
    expect: [{ eval_time: '20m', alertname: 'HighCPUUsage', firing: [] }],
  },
  {
    name: 'HighMemoryUsage fires at 91% of the limit after 5 minutes, not before',
    series: memory(91),
    expect: [
      { eval_time: '3m', alertname: 'HighMemoryUsage', firing: [] },
      { eval_time: '10m', alertname: 'HighMemoryUsage', firing: [{ ...POD }] },
    ],
  },
  {
    name: 'HighMemoryUsage stays quiet at 89% of the limit',
    series: memory(89),
    expect: [{ eval_time: '20m', alertname: 'HighMemoryUsage', firing: [] }],
  },
  {
    name: 'PodRestartingTooOften fires on 4 restarts in 10 minutes',
    series: restarts('0 0 1 2 3 4 4 4 4 4 4 4'),
    expect: [
      { eval_time: '4m', alertname: 'PodRestartingTooOften', firing: [] },
      { eval_time: '6m', alertname: 'PodRestartingTooOften', firing: [{ ...POD }] },
    ],
  },
  {
    name: 'PodRestartingTooOften stays quiet on 3 restarts in 10 minutes',
    series: restarts('0 0 1 2 3 3 3 3 3 3 3 3 3 3 3'),
    expect: [
      { eval_time: '6m', alertname: 'PodRestartingTooOften', firing: [] },
      { eval_time: '14m', alertname: 'PodRestartingTooOften', firing: [] },
    ],
  },
  {
    name: 'PodRestartingTooOften stays quiet on 4 restarts spread over 44 minutes',
    series: restarts('0x10 1x10 2x10 3x10 4x10'),
    expect: [
      { eval_time: '25m', alertname: 'PodRestartingTooOften', firing: [] },
      { eval_time: '54m', alertname: 'PodRestartingTooOften', firing: [] },
    ],
  },
  {
    name: 'ContainerImageTooLarge fires on a 60 MB image and keeps firing after eco-image-bot scales to zero',
    series: imageSize(60_000_000, '60000000x5 _x120'),
    expect: [
      { eval_time: '1m', alertname: 'ContainerImageTooLarge', firing: [{ image: BIG }] },
      { eval_time: '120m', alertname: 'ContainerImageTooLarge', firing: [{ image: BIG }] },
    ],
  },
  {
    name: 'ContainerImageTooLarge stays quiet on a 49 MB image',
    series: imageSize(49_000_000),
    expect: [{ eval_time: '10m', alertname: 'ContainerImageTooLarge', firing: [] }],
  },
  {
    name: 'HighErrorRate fires at 6% gateway 5xx after 5 minutes, not before',
    series: gateway(6),
    expect: [
      { eval_time: '4m', alertname: 'HighErrorRate', firing: [] },
      {
        eval_time: '12m',
        alertname: 'HighErrorRate',
        firing: [{ function_name: 'eco-cleanup-bot.openfaas-fn' }],
      },
    ],
  },
  {
    name: 'HighErrorRate stays quiet at 4% gateway 5xx',
    series: gateway(4),
    expect: [{ eval_time: '20m', alertname: 'HighErrorRate', firing: [] }],
  },
  {
    name: 'HighErrorRate fires at 6% errors in the bots\u2019 own counter',
    series: botCounter(6),
    expect: [{ eval_time: '12m', alertname: 'HighErrorRate', firing: [{ bot: 'eco-cleanup-bot' }] }],
  },
  {
    name: 'HighErrorRate stays quiet at 4% errors in the bots\u2019 own counter',
    series: botCounter(4),
    expect: [{ eval_time: '20m', alertname: 'HighErrorRate', firing: [] }],
  },
];

/** The promtool unit-test file for rules.yml (run: promtool test rules rules.test.yml). */
export function ruleTestsDocument(rulesFile: string): Record<string, unknown> {
  return {
    rule_files: [rulesFile],
    evaluation_interval: '1m',
    tests: RULE_TEST_CASES.map((testCase) => ({
      name: testCase.name,
      interval: '1m',
      input_series: testCase.series,
      alert_rule_test: testCase.expect.map((expectation) => {
        const rule = ALERT_RULES.find((candidate) => candidate.alert === expectation.alertname);
        if (rule === undefined) throw new Error(`no rule ${expectation.alertname}`);
        return {
          eval_time: expectation.eval_time,
          alertname: expectation.alertname,
          exp_alerts: expectation.firing.map((labels) => ({
            exp_labels: { severity: rule.severity, ...labels },
            exp_annotations: renderAnnotations(rule, labels),
          })),
        };
      }),
    })),
  };
}
