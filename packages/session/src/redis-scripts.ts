/**
 * The Lua scripts of `RedisStore`. A session is one hash, `<prefix>{<id>}`: its data (`payload`,
 * `version`, `expires`), its lease (`lease`, `leaseUntil`) and the turn of a process waiting for
 * the lease (`turn`, `turnUntil`). Every script of the request path touches that key alone (one
 * slot on Redis Cluster) and makes as few calls as it can: each `redis.call` costs Redis a µs or
 * two beyond the command itself, so the lease lives in the hash, read by the same `HMGET` as the
 * version and written by the same `HSET` as the data. The expiry index
 * (`<prefix>expiry:{<shard>}`) lies in another slot: on a cluster it is written by separate
 * commands; on one server the write and release scripts are given its shard as a second key and
 * update it themselves (one call instead of two for a new session).
 *
 * Lease and turn times are the calling process's clock (the store's `clock`, the same clock
 * SQLite's leases use), passed in as arguments: Redis's own clock would cost a call per script.
 * Processes on several machines therefore need clocks in step (NTP); a skew of a good part of
 * the lease makes commits refused (`SessionConflictError`), never an overwrite, since every write
 * is also a compare-and-set on the version.
 *
 * The index is a hint that may lag behind: a score is never later than the session's real
 * expiry (it is set at creation and lowered with `ZADD LT` when an expiry moves earlier; a
 * touch that moves it later leaves it alone), so the sweeper finds every expired session and
 * re-scores the ones that turn out to be live. That keeps the hot path at one script.
 */
import { createHash } from 'node:crypto';

/** A Lua script, sent by SHA (EVALSHA) and loaded with EVAL when the server does not know it. */
export interface Script {
  readonly source: string;
  readonly sha: string;
}

const script = (source: string): Script => ({ source, sha: createHash('sha1').update(source).digest('hex') });

/**
 * Lua shared by the scripts that read a lease or write a session's fields.
 *
 * `live(holder, untilTime, t)`: a lease (or a turn) held by someone and not lapsed at `t`.
 *
 * `hsetKept(key, fields, kept, expires, grace)`: `HSET`s `fields` on a session whose expiry is
 * now `expires`, and moves the time Redis drops its key (`PEXPIREAT`, remembered as `dropAt`)
 * only when `kept`, the current one, no longer lies a grace after `expires` — then half a grace
 * beyond that, so a session in use pays that call once every `graceMs / 2` instead of on every
 * write. Redis keeps an expired session's data from `graceMs` to 1.5 × `graceMs`.
 */
const HELPERS = `
local function live(holder, untilTime, t)
  return holder and holder ~= '' and (tonumber(untilTime) or 0) > t
end
local function hsetKept(key, fields, kept, expires, grace)
  local need = tonumber(expires) + tonumber(grace)
  local drop = false
  if not kept or need > tonumber(kept) then
    drop = need + math.floor(tonumber(grace) / 2)
    fields[#fields + 1], fields[#fields + 2] = 'dropAt', drop
  end
  redis.call('HSET', key, unpack(fields))
  if drop then redis.call('PEXPIREAT', key, drop) end
end
`;

/**
 * KEYS: entry. ARGV: owner, leaseUntil, now (of expiry), t (of leases), turnUntil.
 * Returns {0} absent, {1, holder} busy, {2, payload, version, expires} held. Busy makes the next
 * turn the caller's until turnUntil unless another owner's runs; a free lease is busy during
 * another's turn. `holder` is the owner of the live lease that made it busy ('' for none, or when
 * it is the caller's): the caller tells it (WANT). Two calls: `HMGET`, `HSET`.
 */
export const ACQUIRE = script(`${HELPERS}
local e = redis.call('HMGET', KEYS[1], 'payload', 'version', 'expires', 'lease', 'leaseUntil', 'turn', 'turnUntil')
if not e[1] or tonumber(e[3]) <= tonumber(ARGV[3]) then return {0} end
local t = tonumber(ARGV[4])
local turn = live(e[6], e[7], t) and e[6]
if (turn and turn ~= ARGV[1]) or live(e[4], e[5], t) then
  if not turn or turn == ARGV[1] then redis.call('HSET', KEYS[1], 'turn', ARGV[1], 'turnUntil', ARGV[5]) end
  if live(e[4], e[5], t) and e[4] ~= ARGV[1] then return {1, e[4]} end
  return {1, ''}
end
redis.call('HSET', KEYS[1], 'lease', ARGV[1], 'leaseUntil', ARGV[2], 'turn', '')
return {2, e[1], e[2], e[3]}
`);

/**
 * KEYS: entry, and on one server the index shard. ARGV: owner ('' for a plain set), payload,
 * expires, expectedVersion, now (the store's clock: of expiry and leases), graceMs, keepUntil
 * ('' or absent: release), id (with the shard). Compare-and-set; with an owner, refused while
 * another owner's lease is live, and the lease is released by a write (or, with keepUntil, kept
 * until then). A new entry starts with no lease and no turn. A new entry, or one whose expiry
 * moved earlier, is (re)scored in the shard when it is given. Returns {newVersion, earlier}
 * (earlier = 1 when the expiry moved earlier and no shard was given: the caller lowers the
 * index), or {-1, 0} when refused. Two calls, `HMGET` and `HSET` (and now and then `PEXPIREAT`,
 * see HELPERS; the index's `ZADD` for a new entry).
 */
export const WRITE = script(`${HELPERS}
local cur = redis.call('HMGET', KEYS[1], 'version', 'expires', 'lease', 'leaseUntil', 'dropAt')
local owner = ARGV[1]
local mine = owner ~= '' and cur[3] == owner
if owner ~= '' and not mine and live(cur[3], cur[4], tonumber(ARGV[5])) then return {-1, 0} end
local v = tonumber(cur[1])
local expected = tonumber(ARGV[4])
if expected == 0 then
  if v then
    if tonumber(cur[2]) > tonumber(ARGV[5]) then return {-1, 0} end
    redis.call('DEL', KEYS[1])
  end
  v = 0
  mine = false
  cur[5] = false
elseif v ~= expected then
  return {-1, 0}
end
local nv = v + 1
local set = {'payload', ARGV[2], 'version', nv, 'expires', ARGV[3]}
if owner ~= '' and ARGV[7] and ARGV[7] ~= '' then
  set[7], set[8], set[9], set[10] = 'lease', owner, 'leaseUntil', ARGV[7]
elseif mine then
  set[7], set[8] = 'lease', ''
end
hsetKept(KEYS[1], set, cur[5], ARGV[3], ARGV[6])
if expected == 0 or tonumber(ARGV[3]) < tonumber(cur[2]) then
  if not KEYS[2] then return {nv, expected == 0 and 0 or 1} end
  redis.call('ZADD', KEYS[2], 'LT', ARGV[3], ARGV[8])
end
return {nv, 0}
`);

/**
 * KEYS: entry, and on one server the index shard. ARGV: owner ('' for a plain touch), expires
 * ('' for none), graceMs, id (with the shard). Releases the owner's lease and moves the expiry.
 * Returns 1 when the expiry moved earlier and no shard was given (the caller lowers the index);
 * with the shard, lowers it itself.
 */
export const RELEASE = script(`${HELPERS}
local cur = redis.call('HMGET', KEYS[1], 'expires', 'lease', 'dropAt')
if not cur[1] then return 0 end
local mine = ARGV[1] ~= '' and cur[2] == ARGV[1]
if ARGV[2] == '' then
  if mine then redis.call('HSET', KEYS[1], 'lease', '') end
  return 0
end
local set = {'expires', ARGV[2]}
if mine then set[3], set[4] = 'lease', '' end
hsetKept(KEYS[1], set, cur[3], ARGV[2], ARGV[3])
if tonumber(ARGV[2]) >= tonumber(cur[1]) then return 0 end
if not KEYS[2] then return 1 end
redis.call('ZADD', KEYS[2], 'LT', ARGV[2], ARGV[4])
return 0
`);

/**
 * KEYS: entry. ARGV: owner ('' for none), t (of leases). Deletes the session; returns {1, holder}
 * when it was there, {0, ''} when not. `holder` is the owner of a live lease on it, other than
 * the caller ('' for none): the caller tells it (WANT), so that it does not keep serving the
 * deleted session. Two calls: `HMGET`, `DEL`.
 */
export const DELETE = script(`${HELPERS}
local l = redis.call('HMGET', KEYS[1], 'lease', 'leaseUntil')
if redis.call('DEL', KEYS[1]) == 0 then return {0, ''} end
if live(l[1], l[2], tonumber(ARGV[2])) and l[1] ~= ARGV[1] then return {1, l[1]} end
return {1, ''}
`);

/**
 * KEYS: the holder's wants (`<prefix>want:{<owner>}`). ARGV: id, ms. Release on demand: tells a
 * lease's holder that `id` is wanted (the holder takes them with SPOP); the set goes after `ms`
 * unless told again, so a holder that died leaves nothing behind.
 */
export const WANT = script(`
redis.call('SADD', KEYS[1], ARGV[1])
redis.call('PEXPIRE', KEYS[1], ARGV[2])
`);

/** KEYS: entry. ARGV: owner, leaseUntil, t (of leases). Returns 1 when the owner held a live lease, now extended. */
export const RENEW = script(`${HELPERS}
local cur = redis.call('HMGET', KEYS[1], 'lease', 'leaseUntil')
if cur[1] ~= ARGV[1] or not live(cur[1], cur[2], tonumber(ARGV[3])) then return 0 end
redis.call('HSET', KEYS[1], 'leaseUntil', ARGV[2])
return 1
`);

/**
 * KEYS: entry. ARGV: now. The sweeper's claim of one indexed id, atomic, so with several
 * sweepers each expired session is handed out once. Returns {0} gone, {1, expires} still live
 * (re-score it), {2, payload} claimed (removed).
 */
export const CLAIM = script(`
local e = redis.call('HMGET', KEYS[1], 'payload', 'expires')
if not e[1] then return {0} end
if tonumber(e[2]) > tonumber(ARGV[1]) then return {1, e[2]} end
redis.call('DEL', KEYS[1])
return {2, e[1]}
`);

/**
 * KEYS: the layout-1 expiry set. ARGV: prefix, shards, batch. Moves up to `batch` sessions of the
 * layout before versions (`<prefix>s:<id>`, one `<prefix>expiry`) to this one; returns how many
 * are left. Layout 1 never ran on Redis Cluster, so computing keys here is allowed.
 * The shard hash must stay equal to `shardOf` in redis-store.ts.
 */
export const MIGRATE_1 = script(`
local ids = redis.call('ZRANGE', KEYS[1], 0, tonumber(ARGV[3]) - 1, 'WITHSCORES')
for i = 1, #ids, 2 do
  local id, score = ids[i], ids[i + 1]
  redis.call('ZREM', KEYS[1], id)
  local old = ARGV[1] .. 's:' .. id
  if redis.call('EXISTS', old) == 1 then
    redis.call('RENAME', old, ARGV[1] .. '{' .. id .. '}')
    local h = 0
    for j = 1, #id do h = (h * 31 + string.byte(id, j)) % 65536 end
    redis.call('ZADD', ARGV[1] .. 'expiry:{' .. (h % tonumber(ARGV[2])) .. '}', score, id)
  end
end
return redis.call('ZCARD', KEYS[1])
`);

/** The shard of the expiry index that `id` is indexed in (the same hash as MIGRATE_1). */
export function shardOf(id: string, shards: number): number {
  let h = 0;
  for (let j = 0; j < id.length; j++) h = (h * 31 + (id.charCodeAt(j) & 0xff)) % 65536;
  return h % shards;
}

/** True for Redis's reply to EVALSHA of a script it has not loaded. */
export function isNoScript(e: unknown): boolean {
  return e instanceof Error && e.message.startsWith('NOSCRIPT');
}
