export { cleanForBackup, cleanForRestore } from './clean.ts';
export type { RestoreCleaning } from './clean.ts';
export { EXCLUDE_LABEL, backupSkipReason, restoreSkipReason } from './skip.ts';
export type { RestoreSkipReason, SkipContext, SkipReason } from './skip.ts';
export { RESTORE_PRIORITIES, compareRestoreOrder, groupResource } from './order.ts';
export { itemPath, parseItemPath } from './item-path.ts';
export type { ItemAddress } from './item-path.ts';
export { diffPaths } from './diff.ts';
export { CLUSTER_TYPES, NAMESPACED_TYPES, typeName } from './catalog.ts';
export { parseLabelSelector } from './selector.ts';
export { applyNamespaceMapping, mapNamespace, parseNamespaceMapping } from './mapping.ts';
export type { NamespaceMapping } from './mapping.ts';
export {
  ARCHIVE_FILE,
  BACKUP_KIND,
  BACKUP_PREFIX_SETTING,
  DEFAULT_BACKUP_PREFIX,
  MANIFEST_FILE,
  backupKeys,
  backupName,
  listBackups,
} from './layout.ts';
export type { BackupKeys, StoredBackup } from './layout.ts';
