// Compressed image size from manifests: what a node downloads for one platform, i.e. the config
// blob plus every layer as stored (compressed) in the registry. Layers shared between images are
// counted in each: this is the pull size of one image, not the registry's disk use.
import type { ImageManifest } from './manifest.ts';

export interface ManifestSize {
  /** config.size + the sum of layers[].size. */
  bytes: number;
  configBytes: number;
  layerBytes: number;
  layers: number;
}

export function compressedSize(manifest: ImageManifest): ManifestSize {
  const layerBytes = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
  return {
    bytes: manifest.config.size + layerBytes,
    configBytes: manifest.config.size,
    layerBytes,
    layers: manifest.layers.length,
  };
}
