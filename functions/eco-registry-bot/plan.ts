// The registry bot's run without the kit around it: every repository's tags described and planned
// against what the cluster's pods use. Repositories are planned one by one so a failing one (a 500,
// a manifest of an unknown type) is reported and the others still are.
import {
  describeTags,
  digestsToDelete,
  inUseFrom,
  planRepository,
  type PlannedTag,
  type RegistryClient,
  type RetentionPolicy,
} from '../../shared/index.ts';

export interface RegistryPlan {
  repositories: number;
  tags: PlannedTag[];
  deletes: ReturnType<typeof digestsToDelete>;
  errors: { repository: string; error: unknown }[];
}

export async function planRegistry(input: {
  client: RegistryClient;
  /** host[:port] as image references name the registry. */
  host: string;
  containers: { image: string; imageID?: string | undefined }[];
  policy: RetentionPolicy;
  now: Date;
  /** Only repositories matching this (default: all). */
  repositoryFilter?: (repository: string) => boolean;
}): Promise<RegistryPlan> {
  const inUse = inUseFrom(input.containers, input.host);
  const repositories = (await input.client.listRepositories()).filter(
    (r) => input.repositoryFilter?.(r) ?? true,
  );
  const tags: PlannedTag[] = [];
  const errors: RegistryPlan['errors'] = [];
  for (const repository of repositories) {
    try {
      tags.push(
        ...planRepository(await describeTags(input.client, repository), inUse, input.policy, input.now),
      );
    } catch (error) {
      errors.push({ repository, error });
    }
  }
  return { repositories: repositories.length, tags, deletes: digestsToDelete(tags), errors };
}
