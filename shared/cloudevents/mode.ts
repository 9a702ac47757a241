export type CeMode = 'binary' | 'structured' | 'batch';

type Headers = Readonly<Record<string, string | string[] | undefined>>;

/**
 * The mode, chosen in one place from the content type and headers, the way the SDK does: batch and
 * structured by content type, binary when a `ce-id` header is present, else not a CloudEvent.
 * Free of the SDK, so plain requests never load it.
 */
export function cloudEventMode(headers: Headers): CeMode | undefined {
  const raw = headers['content-type'];
  const type = (Array.isArray(raw) ? raw[0] : raw)?.toLowerCase() ?? '';
  if (type.startsWith('application/cloudevents-batch')) return 'batch';
  if (type.startsWith('application/cloudevents')) return 'structured';
  if (headers['ce-id'] !== undefined) return 'binary';
  return undefined;
}
