import type { ObjectStore, ObjectSummary } from './types.ts';

/** Every object under `prefix`, page by page, in key order. */
export async function* listAll(
  store: ObjectStore,
  prefix: string,
  options: { pageSize?: number; signal?: AbortSignal } = {},
): AsyncGenerator<ObjectSummary> {
  let token: string | undefined;
  do {
    const page = await store.list(prefix, {
      ...(options.pageSize === undefined ? {} : { maxKeys: options.pageSize }),
      ...(token === undefined ? {} : { continuationToken: token }),
      ...(options.signal === undefined ? {} : { signal: options.signal }),
    });
    yield* page.objects;
    token = page.nextToken;
  } while (token !== undefined);
}
