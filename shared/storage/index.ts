// The storage part of the kit, for the storage bots: the object store, the backup archive, Velero's
// backup rules and GFS retention. Kept out of shared/index.ts so that other bots' bundles do not carry
// the S3 signer and the XML and tar code (about 40 KB of a 500 KiB budget).
export * from '../objectstore/index.ts';
export * from '../archive/index.ts';
export * from '../backup/index.ts';
export * from '../retention/index.ts';
