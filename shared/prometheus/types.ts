// Shapes of the Prometheus HTTP API (v1) as this client returns them: sample values parsed to
// numbers (the wire carries them as strings, with "NaN", "+Inf" and "-Inf"), timestamps in Unix
// seconds as Prometheus uses them.

export type Labels = Readonly<Record<string, string>>;

/** One sample: [Unix seconds, value]. */
export type Sample = readonly [time: number, value: number];

/** An instant-vector element. */
export interface VectorSample {
  metric: Labels;
  value: Sample;
}

/** A range-vector (matrix) element: one series and its samples in time order. */
export interface Series {
  metric: Labels;
  values: Sample[];
}

export type QueryData =
  | { resultType: 'vector'; result: VectorSample[] }
  | { resultType: 'matrix'; result: Series[] }
  | { resultType: 'scalar'; result: Sample }
  | { resultType: 'string'; result: readonly [time: number, value: string] };

export interface InstantResult {
  data: QueryData;
  /** Warnings Prometheus attached to a successful answer (e.g. a partial response). */
  warnings: string[];
}

export interface RangeResult {
  series: Series[];
  warnings: string[];
  /** How many query_range requests the window was split into (11,000 points per series each). */
  chunks: number;
}

/** A time given as a Date or as Unix seconds. */
export type Time = Date | number;

export interface RequestOptions {
  /** Cancels the request (e.g. the invocation's ctx.signal). */
  signal?: AbortSignal;
  /** Overrides the client's per-request timeout. */
  timeoutMs?: number;
}

export interface InstantQueryOptions extends RequestOptions {
  /** Evaluation time; Prometheus' "now" when omitted. */
  time?: Time;
}

export interface RangeQueryOptions extends RequestOptions {
  start: Time;
  end: Time;
  /** Resolution step in seconds (> 0). */
  stepSeconds: number;
}

export interface Target {
  discoveredLabels: Labels;
  labels: Labels;
  scrapePool: string;
  scrapeUrl: string;
  globalUrl?: string;
  lastError: string;
  lastScrape: string;
  lastScrapeDuration: number;
  health: 'up' | 'down' | 'unknown';
  scrapeInterval?: string;
  scrapeTimeout?: string;
}

export interface DroppedTarget {
  discoveredLabels: Labels;
}

export interface TargetsResult {
  activeTargets: Target[];
  droppedTargets: DroppedTarget[];
}

export interface NameCount {
  name: string;
  value: number;
}

export interface TsdbStatus {
  headStats: {
    numSeries: number;
    numLabelPairs?: number;
    chunkCount: number;
    /** Unix milliseconds. */
    minTime: number;
    maxTime: number;
  };
  seriesCountByMetricName: NameCount[];
  labelValueCountByLabelName: NameCount[];
  memoryInBytesByLabelName: NameCount[];
  seriesCountByLabelValuePair: NameCount[];
}

export interface Alert {
  labels: Labels;
  annotations: Labels;
  state: 'pending' | 'firing' | 'inactive';
  activeAt?: string;
  value: string;
}

export interface AlertingRule {
  type: 'alerting';
  name: string;
  query: string;
  duration: number;
  labels: Labels;
  annotations: Labels;
  alerts: Alert[];
  health: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
  state?: string;
}

export interface RecordingRule {
  type: 'recording';
  name: string;
  query: string;
  labels?: Labels;
  health: string;
  lastError?: string;
  evaluationTime?: number;
  lastEvaluation?: string;
}

export type Rule = AlertingRule | RecordingRule;

export interface RuleGroup {
  name: string;
  file: string;
  interval: number;
  rules: Rule[];
  evaluationTime?: number;
  lastEvaluation?: string;
}

export interface RulesResult {
  groups: RuleGroup[];
}

export interface AlertsResult {
  alerts: Alert[];
}
