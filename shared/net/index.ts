export * from './selectors.ts';
export * from './services.ts';
