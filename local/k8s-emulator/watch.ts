// A watch stream (wire spec §6): 200 with chunked compact JSON lines, one WatchEvent per line.
// Start: no resourceVersion or "0" sends synthetic ADDEDs for the current state; N replays history
// after N; N older than the retained history sends one ERROR 410 event and closes. Selector-filtered
// watches turn objects entering/leaving the selector into ADDED/DELETED. Bookmarks when asked,
// and a clean close after timeoutSeconds.
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../shared/k8s/types.ts';
import type { Store } from './store.ts';
import type { ResourceDef } from './resources.ts';
import { groupVersion, resourceId } from './resources.ts';
import type { ResourceRequest } from './request.ts';
import type { ChangeEvent } from './watch-hub.ts';
import { matchesFields, matchesLabels, parseFieldSelector, parseLabelSelector } from './selectors.ts';
import { badRequest, methodNotAllowed, statusBody } from './status-errors.ts';

export interface WatchOptions {
  /** Used when the client sends no timeoutSeconds. */
  defaultTimeoutSeconds: number;
  /** Interval of BOOKMARK events when allowWatchBookmarks=true. */
  bookmarkIntervalMs: number;
}

/** Validates the request and starts streaming; errors before streaming are thrown as ApiError. */
export function serveWatch(
  store: Store,
  r: ResourceRequest,
  query: URLSearchParams,
  res: ServerResponse,
  open: Set<ServerResponse>,
  options: WatchOptions,
): void {
  const { def } = r;
  if (def.readOnly) throw methodNotAllowed('watch', def);
  const labels = parseLabelSelector(query.get('labelSelector'));
  let fieldText = query.get('fieldSelector') ?? '';
  // Legacy /watch/.../{name} path: a watch on one object.
  if (r.name) fieldText = fieldText ? `${fieldText},metadata.name=${r.name}` : `metadata.name=${r.name}`;
  const fields = parseFieldSelector(fieldText, def);
  const rvParam = query.get('resourceVersion') ?? '';
  if (rvParam !== '' && !/^\d+$/.test(rvParam)) throw badRequest(`invalid resource version: ${rvParam}`);
  const timeoutRaw = query.get('timeoutSeconds');
  const timeoutSeconds =
    timeoutRaw !== null && /^\d+$/.test(timeoutRaw) ? Number(timeoutRaw) : options.defaultTimeoutSeconds;
  const bookmarks = query.get('allowWatchBookmarks') === 'true';
  const sendInitialEvents = query.get('sendInitialEvents') === 'true';
  const namespace = def.namespaced && r.namespace ? r.namespace : undefined;

  res.writeHead(200, {
    'Content-Type': 'application/json',
    'Transfer-Encoding': 'chunked',
    'Cache-Control': 'no-cache, private',
  });
  res.flushHeaders();
  open.add(res);

  const passes = (o: KubeObject | undefined): boolean =>
    o !== undefined &&
    (namespace === undefined || o.metadata.namespace === namespace) &&
    matchesLabels(labels, o.metadata.labels) &&
    matchesFields(fields, o);

  const line = (type: string, objJson: string): void => {
    res.write(`{"type":"${type}","object":${objJson}}\n`);
  };
  const emit = (e: ChangeEvent): void => {
    const now = passes(e.obj) && e.type !== 'DELETED';
    const before = e.type === 'ADDED' ? false : passes(e.prev);
    if (e.type === 'DELETED') {
      if (passes(e.obj)) line('DELETED', store.objectJson(def, e.obj));
      return;
    }
    if (now && before) line('MODIFIED', store.objectJson(def, e.obj));
    else if (now) line('ADDED', store.objectJson(def, e.obj));
    else if (before && e.prev) {
      // Left the selector: DELETED with the previous content at this event's revision.
      const gone = { ...e.prev, metadata: { ...e.prev.metadata, resourceVersion: String(e.rv) } };
      line('DELETED', JSON.stringify(typed(def, gone)));
    }
  };

  let lastRv = store.rv;
  let closed = false;
  let unsubscribe = (): void => {};
  const timers: NodeJS.Timeout[] = [];
  const bookmark = (extra?: Record<string, string>): void => {
    const metadata: Record<string, unknown> = { resourceVersion: String(lastRv) };
    if (extra) metadata['annotations'] = extra;
    line('BOOKMARK', JSON.stringify({ kind: def.kind, apiVersion: groupVersion(def), metadata }));
  };
  const close = (withBookmark: boolean): void => {
    if (closed) return;
    closed = true;
    unsubscribe();
    for (const t of timers) clearTimeout(t);
    if (withBookmark && bookmarks && !res.destroyed) bookmark();
    open.delete(res);
    if (!res.destroyed) res.end();
  };

  if (rvParam !== '' && rvParam !== '0') {
    const from = Number(rvParam);
    if (from < store.hub.historyStart) {
      const err = statusBody(410, 'Expired', `too old resource version: ${from} (${store.hub.historyStart})`);
      line('ERROR', JSON.stringify(err));
      close(false);
      return;
    }
    for (const e of store.hub.since(resourceId(def), from)) {
      emit(e);
      lastRv = e.rv;
    }
  } else {
    for (const o of store.scan(def, namespace)) if (passes(o)) line('ADDED', store.objectJson(def, o));
    if (sendInitialEvents && bookmarks) bookmark({ 'k8s.io/initial-events-end': 'true' });
  }
  lastRv = store.rv;
  unsubscribe = store.hub.subscribe(resourceId(def), (e) => {
    if (closed) return;
    emit(e);
    lastRv = e.rv;
  });
  res.on('close', () => close(false));
  const timeout = setTimeout(() => close(true), timeoutSeconds * 1000);
  timeout.unref();
  timers.push(timeout);
  if (bookmarks) {
    const tick = (): void => {
      if (closed) return;
      bookmark();
      const t = setTimeout(tick, options.bookmarkIntervalMs);
      t.unref();
      timers.push(t);
    };
    const t = setTimeout(tick, options.bookmarkIntervalMs);
    t.unref();
    timers.push(t);
  }
}

function typed(def: ResourceDef, o: KubeObject): KubeObject {
  const { kind: _k, apiVersion: _a, ...rest } = o;
  return { kind: def.kind, apiVersion: groupVersion(def), ...rest } as KubeObject;
}
