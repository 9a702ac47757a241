/** The fleet's report event (ARCHITECTURE.md section 5). */
export const REPORT_EVENT_TYPE = 'org.bsw-arch.eco.report.v1';
/** Knative PingSource events: their data is the options of the run. */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';

export const eventSource = (bot: string): string => `/eco-bots/${bot}`;
