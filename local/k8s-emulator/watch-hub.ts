// The change history and live subscribers. Every committed write becomes one ChangeEvent carrying
// the object at that revision (and the previous one, so selector-filtered watches can turn a label
// change into ADDED/DELETED, as the apiserver's cache watcher does). The history is a bounded window:
// a watch or continue token older than its start gets 410 Expired.
import type { KubeObject } from '../../shared/k8s/types.ts';

export type ChangeType = 'ADDED' | 'MODIFIED' | 'DELETED';

export interface ChangeEvent {
  readonly rv: number;
  readonly type: ChangeType;
  /** resourceId: `<group>/<plural>`. */
  readonly rid: string;
  readonly obj: KubeObject;
  readonly prev: KubeObject | undefined;
}

export type Listener = (e: ChangeEvent) => void;

export class WatchHub {
  private events: ChangeEvent[] = [];
  /** Every event with rv > historyStart is retained. */
  private start = 0;
  private readonly listeners = new Map<string, Set<Listener>>();

  constructor(private readonly maxHistory: number) {}

  get historyStart(): number {
    return this.start;
  }

  publish(e: ChangeEvent): void {
    this.events.push(e);
    if (this.events.length > this.maxHistory * 2) {
      const drop = this.events.length - this.maxHistory;
      this.start = (this.events[drop - 1] as ChangeEvent).rv;
      this.events = this.events.slice(drop);
    }
    const set = this.listeners.get(e.rid);
    if (set) for (const l of [...set]) l(e);
  }

  /** Events of one resource with rv > `after`, oldest first. */
  since(rid: string, after: number): ChangeEvent[] {
    let lo = 0;
    let hi = this.events.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((this.events[mid] as ChangeEvent).rv <= after) lo = mid + 1;
      else hi = mid;
    }
    const out: ChangeEvent[] = [];
    for (let i = lo; i < this.events.length; i++) {
      const e = this.events[i] as ChangeEvent;
      if (e.rid === rid) out.push(e);
    }
    return out;
  }

  subscribe(rid: string, l: Listener): () => void {
    let set = this.listeners.get(rid);
    if (!set) {
      set = new Set();
      this.listeners.set(rid, set);
    }
    set.add(l);
    return () => {
      set.delete(l);
    };
  }

  /** Drops all history up to `rv` (compaction): older watches and continue tokens expire. */
  compact(rv: number): void {
    this.events = this.events.filter((e) => e.rv > rv);
    this.start = Math.max(this.start, rv);
  }

  watcherCount(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
