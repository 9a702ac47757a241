// Volume expansion for a filling PVC: only when its StorageClass has allowVolumeExpansion: true and
// the PVC is opted in with the annotation below; the new size grows by a step, rounded up to whole
// GiB, capped by a maximum (also settable per PVC).
import { parseQuantity, type KubeObject } from '../../shared/index.ts';

export const EXPAND_ANNOTATION = 'eco.bsw-arch.org/auto-expand';
export const MAX_SIZE_ANNOTATION = 'eco.bsw-arch.org/auto-expand-max';

const GIB = 1024 ** 3;

export type ExpansionPlan =
  | { expand: true; from: string; to: string; fromBytes: number; toBytes: number }
  | {
      expand: false;
      reason: 'not-opted-in' | 'class-forbids' | 'class-missing' | 'at-maximum' | 'unknown-size';
    };

export function planExpansion(
  pvc: KubeObject,
  storageClass: KubeObject | undefined,
  options: { stepPercent: number; maxBytes: number },
): ExpansionPlan {
  if (pvc.metadata.annotations?.[EXPAND_ANNOTATION] !== 'true')
    return { expand: false, reason: 'not-opted-in' };
  if (storageClass === undefined) return { expand: false, reason: 'class-missing' };
  if (storageClass.allowVolumeExpansion !== true) return { expand: false, reason: 'class-forbids' };
  const spec = pvc.spec as { resources?: { requests?: { storage?: string } } } | undefined;
  const from = spec?.resources?.requests?.storage;
  const fromBytes = parseQuantity(from);
  if (from === undefined || fromBytes === undefined) return { expand: false, reason: 'unknown-size' };
  const ownMax = parseQuantity(pvc.metadata.annotations?.[MAX_SIZE_ANNOTATION]);
  const cap = Math.min(options.maxBytes, ownMax ?? Number.POSITIVE_INFINITY);
  const wanted = Math.ceil((fromBytes * (1 + options.stepPercent / 100)) / GIB) * GIB;
  const toBytes = Math.min(wanted, Math.floor(cap / GIB) * GIB);
  if (toBytes <= fromBytes) return { expand: false, reason: 'at-maximum' };
  return { expand: true, from, to: `${toBytes / GIB}Gi`, fromBytes, toBytes };
}
