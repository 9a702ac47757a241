// The variables `npm start` (eco-bots up) reads besides the bots' own: the README's table is
// generated from this list, and `up` checks them at start (a bad value: one line, exit 78).
export const GATEWAY_ENV_DOCS: ReadonlyArray<{ name: string; default: string; meaning: string }> = [
  { name: 'PORT', default: '8080', meaning: 'the gateway port (`--port` wins)' },
  {
    name: 'ECO_GATEWAY_MAX_PROCESSES',
    default: '4',
    meaning: 'bot processes alive at once, 1..64 (`--max-processes` wins)',
  },
  {
    name: 'ECO_GATEWAY_IDLE_SECONDS',
    default: '120',
    meaning: 'stop a bot process after this idle time, 1..86400 (`--idle-timeout` wins)',
  },
  {
    name: 'ECO_GATEWAY_TIMEOUT_SECONDS',
    default: '60',
    meaning: 'per-invocation timeout, 1..3600 (`--timeout` wins)',
  },
  {
    name: 'KUBECONFIG',
    default: '(unset)',
    meaning: 'the cluster to use when it answers; else the embedded emulator with the demo cluster',
  },
  { name: 'NO_COLOR', default: '(unset)', meaning: 'plain output on a terminal' },
];
