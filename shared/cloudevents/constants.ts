/** The fleet's report event (ARCHITECTURE.md section 5). */
export const REPORT_EVENT_TYPE = 'org.bsw-arch.eco.report.v1';
/** Knative PingSource events: their data is the options of the run. */
export const PING_EVENT_TYPE = 'dev.knative.sources.ping';
/**
 * Alerts eco-alert-bot routes to a bot (firing/resolved): the alert is context for the run, not its
 * options, so the bot runs with its defaults and reads the alert from ctx.event.data.
 */
export const ALERT_EVENT_PREFIX = 'org.bsw-arch.eco.alert.';

export const eventSource = (bot: string): string => `/eco-bots/${bot}`;
