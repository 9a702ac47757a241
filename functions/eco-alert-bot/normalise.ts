import type { Severity } from '../../shared/index.ts';
import { labelsFingerprint } from './fingerprint.ts';
import type { RawAlert } from './schema.ts';

/** What Alertmanager sends as `endsAt` for an alert that is still firing. */
export const ZERO_TIME = '0001-01-01T00:00:00Z';

/** One alert as the fleet sees it: the data of the alert CloudEvents and of the OpenFaaS invocations. */
export interface NormalisedAlert {
  status: 'firing' | 'resolved';
  alertname: string;
  severity: Severity;
  labels: Record<string, string>;
  annotations: Record<string, string>;
  /** Alertmanager's fingerprint, or the same FNV-1a computation over the labels when it was absent. */
  fingerprint: string;
  startsAt: string;
  /** The zero time while firing. */
  endsAt: string;
  generatorURL: string;
}

// Severity vocabularies seen in the wild (kubernetes-mixin uses info|warning|critical, others use
// error/high/page/none...). Anything unknown falls back to the default rather than failing the alert.
const SEVERITY_WORDS: Readonly<Record<string, Severity>> = {
  critical: 'critical',
  crit: 'critical',
  error: 'critical',
  high: 'critical',
  page: 'critical',
  emergency: 'critical',
  fatal: 'critical',
  warning: 'warning',
  warn: 'warning',
  medium: 'warning',
  moderate: 'warning',
  info: 'info',
  informational: 'info',
  notice: 'info',
  low: 'info',
  none: 'info',
  debug: 'info',
};

export const DEFAULT_SEVERITY: Severity = 'warning';

export function mapSeverity(label: string | undefined): Severity {
  if (label === undefined) return DEFAULT_SEVERITY;
  return SEVERITY_WORDS[label.trim().toLowerCase()] ?? DEFAULT_SEVERITY;
}

function isZero(time: string): boolean {
  return time.startsWith('0001-01-01T00:00:00');
}

export function normaliseAlert(alert: RawAlert): NormalisedAlert {
  const labels = { ...alert.labels };
  const fingerprint =
    alert.fingerprint !== undefined && alert.fingerprint.trim() !== ''
      ? alert.fingerprint.trim()
      : labelsFingerprint(labels);
  return {
    status: alert.status,
    alertname: labels['alertname'] ?? '',
    severity: mapSeverity(labels['severity']),
    labels,
    annotations: { ...(alert.annotations ?? {}) },
    fingerprint,
    startsAt: alert.startsAt,
    // Alertmanager already zeroes a firing alert's future end time; other senders may not, and a
    // firing alert must not look as if it had ended.
    endsAt:
      alert.status === 'firing' || alert.endsAt === undefined || isZero(alert.endsAt)
        ? ZERO_TIME
        : alert.endsAt,
    generatorURL: alert.generatorURL ?? '',
  };
}

/**
 * Alertmanager sends `receiver` through Go's regexp.QuoteMeta (`eco.bots` arrives as `eco\\.bots`);
 * undo it so reports and events carry the name as configured.
 */
export function unquoteMeta(text: string): string {
  return text.replace(/\\([\\.+*?()|[\]{}^$])/g, '$1');
}
