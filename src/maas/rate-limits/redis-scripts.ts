import { createHash } from "node:crypto";

/** A Lua script run atomically by Redis, called by its SHA-1 (and sent whole when Redis does not know it yet). */
export type RedisScript = { source: string; sha: string };

function script(source: string): RedisScript {
  return { source, sha: createHash("sha1").update(source).digest("hex") };
}

/**
 * A sliding window in one sorted set: each entry is a member `id:amount` scored by its epoch ms. Drops the entries at
 * or before `now - windowMs`, then decides whether `amount` more fits `limit`; with `record` = 1 an admitted amount
 * is added. Requests (`unit` = 1, every amount 1) are counted with ZCARD instead of a scan.
 * KEYS[1] window; ARGV now, windowStart (now - windowMs), windowMs, limit, amount, record, member, unit.
 * Returns {1, used, 0} when admitted, else {0, used, freesAt}: the score of the entry whose departure makes room.
 */
export const windowScript = script(`
local key = KEYS[1]
local now = tonumber(ARGV[1])
local limit = tonumber(ARGV[4])
local amount = tonumber(ARGV[5])
local record = ARGV[6] == '1'
local unit = ARGV[8] == '1'
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[2])
local used = 0
local entries = nil
if unit then
  used = redis.call('ZCARD', key)
else
  entries = redis.call('ZRANGE', key, 0, -1, 'WITHSCORES')
  for index = 1, #entries, 2 do
    used = used + tonumber(string.match(entries[index], ':(%d+)$'))
  end
end
if used + amount <= limit then
  if record then
    redis.call('ZADD', key, ARGV[1], ARGV[7])
    redis.call('PEXPIRE', key, ARGV[3])
  end
  return {1, used, 0}
end
if unit then
  local freeing = redis.call('ZRANGE', key, used - limit, used - limit, 'WITHSCORES')
  return {0, used, tonumber(freeing[2])}
end
local remaining = used
local freesAt = now
for index = 1, #entries, 2 do
  remaining = remaining - tonumber(string.match(entries[index], ':(%d+)$'))
  freesAt = tonumber(entries[index + 1])
  if remaining + amount <= limit then break end
end
return {0, used, freesAt}
`);

/**
 * A key's concurrency slots in one sorted set: each a lease id scored by the epoch ms it lapses at. Drops the lapsed
 * ones, then takes a slot when fewer than `limit` are held.
 * KEYS[1] slots; ARGV now, limit, leaseId, expiresAt, ttlMs (how long Redis keeps the set after the last change).
 * Returns {1, held} when taken, else {0, held}.
 */
export const slotScript = script(`
local key = KEYS[1]
local limit = tonumber(ARGV[2])
redis.call('ZREMRANGEBYSCORE', key, '-inf', ARGV[1])
local held = redis.call('ZCARD', key)
if held >= limit then
  return {0, held}
end
redis.call('ZADD', key, ARGV[4], ARGV[3])
redis.call('PEXPIRE', key, ARGV[5])
return {1, held + 1}
`);
