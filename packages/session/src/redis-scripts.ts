/**
 * The Lua scripts of `RedisStore`. Every script of the request path touches the keys of one
 * session (`<prefix>{<id>}`, `<prefix>{<id>}:lease` and `<prefix>{<id>}:turn`, one hash tag, so
 * one slot on Redis Cluster). The expiry index (`<prefix>expiry:{<shard>}`) lies in another
 * slot: on a cluster it is written by separate commands; on one server the write and release
 * scripts are given its shard as a third key and update it themselves (one call instead of two
 * for a new session).
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
 * KEYS: entry, lease, turn. ARGV: owner, leaseMs, now, turnMs.
 * Returns {0} absent, {1} busy, {2, payload, version, expires} held. Busy makes the next turn the
 * caller's for turnMs unless another owner's runs; a free lease is busy during another's turn.
 */
export const ACQUIRE = script(`
local e = redis.call('HMGET', KEYS[1], 'payload', 'version', 'expires')
if not e[1] or tonumber(e[3]) <= tonumber(ARGV[3]) then return {0} end
local turn = redis.call('GET', KEYS[3])
if (turn and turn ~= ARGV[1]) or not redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', ARGV[2]) then
  if not turn or turn == ARGV[1] then redis.call('SET', KEYS[3], ARGV[1], 'PX', ARGV[4]) end
  return {1}
end
if turn then redis.call('DEL', KEYS[3]) end
return {2, e[1], e[2], e[3]}
`);

/**
 * KEYS: entry, lease, and on one server the index shard. ARGV: owner ('' for a plain set),
 * payload, expires, expectedVersion, now, graceMs, keepMs ('' or absent: release), id (with the
 * shard). Compare-and-set; with an owner, refused while another owner's lease is live, and the
 * lease is released by a write (or, with keepMs, kept that long). A new entry, or one whose expiry
 * moved earlier, is (re)scored in the shard when it is given. Returns {newVersion, earlier}
 * (earlier = 1 when the expiry moved earlier and no shard was given: the caller lowers the
 * index), or {-1, 0} when refused.
 */
export const WRITE = script(`
local lease = redis.call('GET', KEYS[2])
if ARGV[1] ~= '' and lease and lease ~= ARGV[1] then return {-1, 0} end
local cur = redis.call('HMGET', KEYS[1], 'version', 'expires')
local v = tonumber(cur[1])
local expected = tonumber(ARGV[4])
if expected == 0 then
  if v and tonumber(cur[2]) > tonumber(ARGV[5]) then return {-1, 0} end
  v = 0
  redis.call('DEL', KEYS[2])
elseif v ~= expected then
  return {-1, 0}
end
local nv = v + 1
redis.call('HSET', KEYS[1], 'payload', ARGV[2], 'version', nv, 'expires', ARGV[3])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[3]) + tonumber(ARGV[6]))
if ARGV[1] ~= '' then
  if ARGV[7] and ARGV[7] ~= '' then redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[7])
  elseif lease == ARGV[1] then redis.call('DEL', KEYS[2]) end
end
if expected == 0 or tonumber(ARGV[3]) < tonumber(cur[2]) then
  if not KEYS[3] then return {nv, expected == 0 and 0 or 1} end
  redis.call('ZADD', KEYS[3], 'LT', ARGV[3], ARGV[8])
end
return {nv, 0}
`);

/**
 * KEYS: entry, lease, and on one server the index shard. ARGV: owner ('' for a plain touch),
 * expires ('' for none), graceMs, id (with the shard). Releases the owner's lease and moves the
 * expiry. Returns 1 when the expiry moved earlier and no shard was given (the caller lowers the
 * index); with the shard, lowers it itself.
 */
export const RELEASE = script(`
if ARGV[1] ~= '' and redis.call('GET', KEYS[2]) == ARGV[1] then redis.call('DEL', KEYS[2]) end
if ARGV[2] == '' then return 0 end
local old = redis.call('HGET', KEYS[1], 'expires')
if not old then return 0 end
redis.call('HSET', KEYS[1], 'expires', ARGV[2])
redis.call('PEXPIREAT', KEYS[1], tonumber(ARGV[2]) + tonumber(ARGV[3]))
if tonumber(ARGV[2]) >= tonumber(old) then return 0 end
if not KEYS[3] then return 1 end
redis.call('ZADD', KEYS[3], 'LT', ARGV[2], ARGV[4])
return 0
`);

/** KEYS: entry, lease. ARGV: owner, leaseMs. Returns 1 when the owner holds the lease now. */
export const RENEW = script(`
if redis.call('EXISTS', KEYS[1]) == 0 then return 0 end
if redis.call('GET', KEYS[2]) ~= ARGV[1] then return 0 end
redis.call('SET', KEYS[2], ARGV[1], 'PX', ARGV[2])
return 1
`);

/** KEYS: entry, lease. Returns 1 when there was an entry. */
export const DELETE = script(`
redis.call('DEL', KEYS[2])
return redis.call('DEL', KEYS[1])
`);

/**
 * KEYS: entry, lease. ARGV: now. The sweeper's claim of one indexed id, atomic, so with several
 * sweepers each expired session is handed out once. Returns {0} gone, {1, expires} still live
 * (re-score it), {2, payload} claimed (removed).
 */
export const CLAIM = script(`
local e = redis.call('HMGET', KEYS[1], 'payload', 'expires')
if not e[1] then return {0} end
if tonumber(e[2]) > tonumber(ARGV[1]) then return {1, e[2]} end
redis.call('DEL', KEYS[1], KEYS[2])
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
