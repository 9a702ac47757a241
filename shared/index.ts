export * from './k8s/index.ts';
export * from './safety/index.ts';
