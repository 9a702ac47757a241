// A repository's tags with what retention needs: digest, platform digests, created, size. One
// manifest GET per tag and one config GET per image manifest; digests already described in this
// run are reused (tags often share them).
import type { RegistryClient } from './client.ts';
import { compressedSize } from './size.ts';
import type { TagInfo } from './retention.ts';

interface Described {
  digest: string;
  childDigests: string[];
  created: string | undefined;
  bytes: number | undefined;
}

export async function describeTags(
  client: RegistryClient,
  repository: string,
  tags?: string[],
): Promise<TagInfo[]> {
  const names = tags ?? (await client.listTags(repository));
  const byDigest = new Map<string, Described>();
  const out: TagInfo[] = [];
  for (const tag of names) {
    const top = await client.getManifest(repository, tag);
    let described = byDigest.get(top.digest);
    if (!described) {
      described = { digest: top.digest, childDigests: [], created: undefined, bytes: undefined };
      const images =
        top.manifest.kind === 'manifest'
          ? [top.manifest]
          : await Promise.all(
              top.manifest.manifests
                .filter((m) => m.platform?.os !== 'unknown')
                .map(async (m) => {
                  described!.childDigests.push(m.digest);
                  const child = await client.getManifest(repository, m.digest);
                  return child.manifest.kind === 'manifest' ? child.manifest : undefined;
                }),
            );
      for (const image of images) {
        if (!image) continue;
        const bytes = compressedSize(image).bytes;
        described.bytes = Math.max(described.bytes ?? 0, bytes);
        const config = await client.getImageConfig(repository, image.config.digest).catch(() => undefined);
        if (
          config?.created &&
          !Number.isNaN(Date.parse(config.created)) &&
          (!described.created || Date.parse(config.created) > Date.parse(described.created))
        ) {
          described.created = config.created;
        }
      }
      byDigest.set(top.digest, described);
    }
    out.push({ repository, tag, ...described, childDigests: [...described.childDigests] });
  }
  return out;
}
