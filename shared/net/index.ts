export * from './selectors.ts';
export * from './services.ts';
export * from './slim.ts';
