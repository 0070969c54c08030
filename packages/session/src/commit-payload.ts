/**
 * What a commit writes: the session's payload, encoded only as far as its request used the
 * session. A request that used nothing of it leaves the payload as last committed; one that used
 * only components (a Twisted-style page adapting the session) has only the components encoded
 * again, spliced into the last payload; anything else encodes the whole session. Every part a
 * request used is encoded, so the codec checks all that is written (`SessionDataError`), and a
 * component or value changed in place through what the request got is seen. The same encoding
 * tells whether a session no request holds was changed after its commit.
 */
import { componentsTextOf } from './component-text.js';
import { twinOf, twinWithComponents, twinWithCopies } from './record-twin.js';
import { encodeRecord, encodeRecordParts, withComponents, withComponentsText } from './session-record.js';
import { TOUCHED_DATA } from './session-state.js';
import type { RecordTwin } from './record-twin.js';
import type { EncodedRecord } from './session-record.js';
import type { SessionState } from './session-state.js';
import type { Tracked } from './sessions-context.js';
import type { SessionStore } from './store.js';
import type { Registry } from '@dovetail/registry';

/** A payload to commit, and its twin when one was asked for and can be had (else null). */
export interface CommitPayload extends EncodedRecord {
  readonly twin: RecordTwin | null;
}

/**
 * The payload to commit for `state`, whose last committed payload `tracked` holds; `forced`: the
 * request asked for a write (`changed()`, `regenerate()`), which encodes everything. `routes`:
 * the namespaces kept in stores of their own (not in the payload). `twinned`: the payload may
 * go to this process's next request of the session (a lease kept), so take its twin. Null for
 * a new session with nothing worth storing (express-session's saveUninitialized: false).
 *
 * @throws SessionDataError (`DT_SESSION_DATA`) for data the codec cannot carry.
 */
export function commitPayload(state: SessionState, tracked: Tracked, forced: boolean, registry: Registry, routes: Map<string, SessionStore>, twinned: boolean): CommitPayload | null {
  const last = tracked.payload;
  const touched = state.touched;
  if (!forced && last !== undefined && (touched & TOUCHED_DATA) === 0) {
    const lastTwin = tracked.twin?.payload === last ? tracked.twin : null;
    if (touched === 0) return { payload: last, headLength: tracked.headLength, twin: lastTwin };
    if (tracked.headLength > 0) {
      // The common components go to text with no record made for them (and copies for a twin).
      const copies = twinned && lastTwin !== null ? {} : null;
      const text = componentsTextOf(state.handle!, state.components, registry, copies);
      if (text !== undefined) {
        const payload = withComponentsText(last, tracked.headLength, text, state.cookieMaxAge);
        return { payload, headLength: tracked.headLength, twin: copies === null ? null : twinWithCopies(lastTwin!, payload, copies, state.cookieMaxAge) };
      }
      const components = state.componentsRecord(registry);
      const payload = withComponents(last, tracked.headLength, components, state.cookieMaxAge);
      const twin = twinned && lastTwin !== null ? twinWithComponents(lastTwin, payload, components, state.cookieMaxAge) : null;
      return { payload, headLength: tracked.headLength, twin };
    }
  }
  const record = state.toRecord(registry, routes.size ? new Set(routes.keys()) : null, false);
  if (last === undefined && state.isNew && !forced && !state.shown && state.isPristine(record)) return null;
  const { payload, headLength } = encodeRecordParts(record);
  return { payload, headLength, twin: twinned ? twinOf(payload, record) : null };
}

/**
 * True when a session no request holds differs from what was last committed (`tracked`):
 * something kept past the commit (a component, a value changed in place) changed it. Not known
 * while another request holds it (its changes are its own).
 */
export function changedSinceCommit(state: SessionState, tracked: Tracked, registry: Registry, routes: Map<string, SessionStore>): boolean {
  if (tracked.heldUid !== null || tracked.ended || state.expired) return false;
  try {
    const record = state.toRecord(registry, routes.size ? new Set(routes.keys()) : null, false);
    return tracked.payload === undefined ? !state.isPristine(record) : encodeRecord(record) !== tracked.payload;
  } catch {
    return true;
  }
}
