// The version catalogue shipped with the project: supported release lines and their end-of-life
// dates, from each project's published support policy (Kubernetes: kubernetes.io/releases, about 14
// months per minor; CoreDNS, metrics-server, Knative, OpenFaaS, prometheus-operator, cert-manager: their
// release pages). Dates of lines announced but not yet ended are the announced ones. It can be refreshed
// at run time from ECO_UPGRADE_CATALOGUE_URL (same JSON shape), since a shipped table ages.

export interface ReleaseLine {
  /** major.minor, e.g. "1.35". */
  minor: string;
  /** End of support (YYYY-MM-DD). */
  eol: string;
}

export interface Product {
  id: string;
  name: string;
  /** How a running component is recognised: a substring of its container image repository. */
  images: string[];
  lines: ReleaseLine[];
}

export interface Catalogue {
  /** When this table was last checked (YYYY-MM-DD). */
  asOf: string;
  kubernetes: ReleaseLine[];
  components: Product[];
}

export const CATALOGUE: Catalogue = {
  asOf: '2026-11-15',
  kubernetes: [
    { minor: '1.29', eol: '2025-02-28' },
    { minor: '1.30', eol: '2025-06-28' },
    { minor: '1.31', eol: '2025-10-28' },
    { minor: '1.32', eol: '2026-02-28' },
    { minor: '1.33', eol: '2026-06-28' },
    { minor: '1.34', eol: '2026-10-27' },
    { minor: '1.35', eol: '2027-02-28' },
    { minor: '1.36', eol: '2027-06-28' },
  ],
  components: [
    {
      id: 'coredns',
      name: 'CoreDNS',
      images: ['coredns/coredns'],
      lines: [
        { minor: '1.10', eol: '2024-06-30' },
        { minor: '1.11', eol: '2025-06-30' },
        { minor: '1.12', eol: '2026-12-31' },
        { minor: '1.13', eol: '2027-12-31' },
      ],
    },
    {
      id: 'metrics-server',
      name: 'metrics-server',
      images: ['metrics-server/metrics-server'],
      lines: [
        { minor: '0.6', eol: '2024-01-31' },
        { minor: '0.7', eol: '2025-12-31' },
        { minor: '0.8', eol: '2027-06-30' },
      ],
    },
    {
      id: 'knative-serving',
      name: 'Knative Serving',
      images: ['knative.dev/serving/cmd/'],
      lines: [
        { minor: '1.17', eol: '2025-10-21' },
        { minor: '1.18', eol: '2026-01-27' },
        { minor: '1.19', eol: '2026-04-28' },
        { minor: '1.20', eol: '2026-07-28' },
        { minor: '1.21', eol: '2026-10-27' },
        { minor: '1.22', eol: '2027-01-26' },
      ],
    },
    {
      id: 'openfaas',
      name: 'OpenFaaS gateway',
      images: ['openfaas/gateway'],
      lines: [
        { minor: '0.26', eol: '2025-06-30' },
        { minor: '0.27', eol: '2027-06-30' },
      ],
    },
    {
      id: 'prometheus-operator',
      name: 'Prometheus operator',
      images: ['prometheus-operator/prometheus-operator'],
      lines: [
        { minor: '0.80', eol: '2025-09-30' },
        { minor: '0.84', eol: '2026-06-30' },
        { minor: '0.86', eol: '2027-03-31' },
      ],
    },
    {
      id: 'cert-manager',
      name: 'cert-manager',
      images: ['jetstack/cert-manager-controller', 'cert-manager/cert-manager-controller'],
      lines: [
        { minor: '1.17', eol: '2025-10-07' },
        { minor: '1.18', eol: '2026-02-10' },
        { minor: '1.19', eol: '2026-06-09' },
        { minor: '1.20', eol: '2026-10-13' },
        { minor: '1.21', eol: '2027-02-09' },
      ],
    },
  ],
};

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const MINOR = /^\d+\.\d+$/;

function lines(value: unknown, where: string): ReleaseLine[] {
  if (!Array.isArray(value)) throw new Error(`${where} must be an array`);
  return value.map((l: unknown, i) => {
    const line = l as Partial<ReleaseLine> | null;
    if (
      typeof line?.minor !== 'string' ||
      !MINOR.test(line.minor) ||
      typeof line.eol !== 'string' ||
      !DATE.test(line.eol)
    )
      throw new Error(`${where}[${i}] must be { minor: "1.35", eol: "YYYY-MM-DD" }`);
    return { minor: line.minor, eol: line.eol };
  });
}

/** Validates a catalogue fetched from a URL; throws naming the first bad field. */
export function parseCatalogue(value: unknown): Catalogue {
  const raw = value as Partial<Catalogue> | null;
  if (raw === null || typeof raw !== 'object') throw new Error('the catalogue must be a JSON object');
  const components = raw.components ?? [];
  if (!Array.isArray(components)) throw new Error('components must be an array');
  return {
    asOf: typeof raw.asOf === 'string' ? raw.asOf : 'unknown',
    kubernetes: lines(raw.kubernetes, 'kubernetes'),
    components: components.map((c, i) => {
      if (typeof c?.id !== 'string' || typeof c.name !== 'string' || !Array.isArray(c.images))
        throw new Error(`components[${i}] needs id, name and images`);
      return {
        id: c.id,
        name: c.name,
        images: c.images.map(String),
        lines: lines(c.lines, `components[${i}].lines`),
      };
    }),
  };
}
