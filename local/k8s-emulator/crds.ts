// The CustomResourceDefinitions pre-loaded in every emulator: the CSI snapshot ones
// (external-snapshotter v8.6.0 names, scope and subresources; schemas reduced to
// preserve-unknown-fields, since the emulator does not validate or prune CRs).
import type { KubeObject } from '../../shared/k8s/types.ts';

function crd(
  plural: string,
  kind: string,
  scope: 'Namespaced' | 'Cluster',
  shortNames: string[],
  status: boolean,
): KubeObject {
  const group = 'snapshot.storage.k8s.io';
  return {
    apiVersion: 'apiextensions.k8s.io/v1',
    kind: 'CustomResourceDefinition',
    metadata: {
      name: `${plural}.${group}`,
      annotations: {
        'api-approved.kubernetes.io': 'https://github.com/kubernetes-csi/external-snapshotter/pull/814',
      },
    },
    spec: {
      group,
      names: { kind, listKind: `${kind}List`, plural, singular: kind.toLowerCase(), shortNames },
      scope,
      versions: [
        {
          name: 'v1',
          served: true,
          storage: true,
          schema: { openAPIV3Schema: { type: 'object', 'x-kubernetes-preserve-unknown-fields': true } },
          subresources: status ? { status: {} } : {},
        },
      ],
    },
  };
}

export const SNAPSHOT_CRDS: readonly KubeObject[] = [
  crd('volumesnapshotclasses', 'VolumeSnapshotClass', 'Cluster', ['vsclass', 'vsclasses'], false),
  crd('volumesnapshotcontents', 'VolumeSnapshotContent', 'Cluster', ['vsc', 'vscs'], true),
  crd('volumesnapshots', 'VolumeSnapshot', 'Namespaced', ['vs'], true),
];
