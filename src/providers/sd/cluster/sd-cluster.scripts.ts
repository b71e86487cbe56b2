/**
 * The Lua scripts of the shared pool: each decision that more than one node could make at once
 * (who gets a slot, whether an instance was healthy, who probes it) runs inside Redis, atomically.
 * Keys are built from the prefix (ARGV[1]); the pool runs on one Redis, not a Redis Cluster.
 */

/**
 * A slot for one waiting image, first come first served across nodes.
 * ARGV: prefix, waiter id, waiter score (arrival), waiter ttl, lease ttl, lease token, slots per
 * instance, n, n instance urls, n avoid flags ('1' = it failed this image: another is preferred),
 * settle ms.
 * Returns { granted (0|1), healthy instances, instance index (1-based), lease key }.
 *
 * A Redis that lost its data (restarted without persistence) has lost the leases of images still
 * running: no slot is granted until their nodes had time to renew them (the settle time).
 */
export const ACQUIRE = `
local p = ARGV[1]
local waiter = ARGV[2]
local slots = tonumber(ARGV[7])
local n = tonumber(ARGV[8])
if redis.call('EXISTS', p .. 'epoch') == 0 then
  redis.call('SET', p .. 'epoch', '1')
  redis.call('SET', p .. 'settling', '1', 'PX', tonumber(ARGV[9 + 2 * n]))
end
redis.call('ZADD', p .. 'waiters', 'NX', tonumber(ARGV[3]), waiter)
redis.call('SET', p .. 'waiter:' .. waiter, '1', 'PX', tonumber(ARGV[4]))
local free = {}
local freeSlots = 0
local healthy = 0
for i = 1, n do
  local url = ARGV[8 + i]
  local state = redis.call('HGET', p .. 'health:' .. url, 'state')
  if (not state) or state == 'healthy' then
    healthy = healthy + 1
    local running = 0
    local first = nil
    for s = 1, slots do
      local key = p .. 'lease:' .. url .. ':' .. s
      if redis.call('EXISTS', key) == 1 then running = running + 1 elseif not first then first = key end
    end
    if first then
      freeSlots = freeSlots + slots - running
      table.insert(free, { i, first, running, ARGV[8 + n + i] == '1' })
    end
  end
end
-- Only as many waiters as there are free slots may take one, the earliest first; waiters whose
-- node stopped renewing them are dropped on the way.
local ahead = 0
for _, other in ipairs(redis.call('ZRANGE', p .. 'waiters', 0, -1)) do
  if other == waiter then break end
  if redis.call('EXISTS', p .. 'waiter:' .. other) == 1 then ahead = ahead + 1 else redis.call('ZREM', p .. 'waiters', other) end
end
if ahead >= freeSlots or redis.call('EXISTS', p .. 'settling') == 1 then return { 0, healthy } end
table.sort(free, function(a, b)
  if a[4] ~= b[4] then return not a[4] end
  if a[3] ~= b[3] then return a[3] < b[3] end
  return a[1] < b[1]
end)
local pick = free[1]
redis.call('SET', pick[2], ARGV[6], 'PX', tonumber(ARGV[5]))
redis.call('ZREM', p .. 'waiters', waiter)
redis.call('DEL', p .. 'waiter:' .. waiter)
return { 1, healthy, pick[1], pick[2] }
`;

/** A free slot of one instance whatever its health (a probe image). ARGV: prefix, url, slots, token, ttl. Returns the lease key or nil. */
export const TAKE_SLOT = `
for s = 1, tonumber(ARGV[3]) do
  local key = ARGV[1] .. 'lease:' .. ARGV[2] .. ':' .. s
  if redis.call('SET', key, ARGV[4], 'NX', 'PX', tonumber(ARGV[5])) then return key end
end
return nil
`;

/** Frees a slot if it is still ours and wakes the waiters. KEYS: lease. ARGV: token, wake channel. */
export const RELEASE = `
if redis.call('GET', KEYS[1]) == ARGV[1] then
  redis.call('DEL', KEYS[1])
  redis.call('PUBLISH', ARGV[2], '1')
  return 1
end
return 0
`;

/**
 * Keeps a slot: ours, or gone (Redis restarted without our lease while our image still runs).
 * KEYS: lease. ARGV: token, ttl. Returns 0 when another holder has it.
 */
export const RENEW = `
local holder = redis.call('GET', KEYS[1])
if holder == ARGV[1] or not holder then
  redis.call('SET', KEYS[1], ARGV[1], 'PX', tonumber(ARGV[2]))
  return 1
end
return 0
`;

/**
 * Sets an instance aside for every node. KEYS: health hash. ARGV: reason, error, retry backoff ms.
 * Returns 1 when it was healthy (its first probe is then due after the backoff).
 */
export const SET_ASIDE = `
local state = redis.call('HGET', KEYS[1], 'state')
redis.call('HSET', KEYS[1], 'state', ARGV[1], 'lastError', ARGV[2])
if (not state) or state == 'healthy' then
  local now = redis.call('TIME')
  local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
  redis.call('HSET', KEYS[1], 'nextProbeAt', ms + tonumber(ARGV[3]))
  redis.call('HDEL', KEYS[1], 'marker')
  return 1
end
return 0
`;

/**
 * Claims the probe of an instance set aside whose probe is due, for one node at a time.
 * KEYS: health hash, probe lock. ARGV: node id, lock ttl. Returns 1 when this node probes now.
 */
export const CLAIM_PROBE = `
local state = redis.call('HGET', KEYS[1], 'state')
if (not state) or state == 'healthy' then return 0 end
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
if tonumber(redis.call('HGET', KEYS[1], 'nextProbeAt') or '0') > ms then return 0 end
if redis.call('SET', KEYS[2], ARGV[1], 'NX', 'PX', tonumber(ARGV[2])) then return 1 end
return 0
`;

/** A probe that did not prove the instance: the next is due in ARGV[1] ms; ARGV[2] is the progress marker ('' for none). KEYS: health hash, probe lock. */
export const PROBE_AGAIN = `
local now = redis.call('TIME')
local ms = tonumber(now[1]) * 1000 + math.floor(tonumber(now[2]) / 1000)
redis.call('HSET', KEYS[1], 'nextProbeAt', ms + tonumber(ARGV[1]))
if ARGV[2] == '' then redis.call('HDEL', KEYS[1], 'marker') else redis.call('HSET', KEYS[1], 'marker', ARGV[2]) end
redis.call('DEL', KEYS[2])
return 1
`;
