export * from './spec.ts';
export { readSettings, parseDuration, checkSettingsSpec } from './read.ts';
