"""`AtomicRedisLockStore`: a per-conversation lock in Redis that holds across processes.

endpoints.yml:

    lock_store:
      type: rasa_plugins.lock_store.AtomicRedisLockStore
      url: ${REDIS_HOST}        # host name, or a redis:// URL
      port: 6379
      db: 1
      password: ${REDIS_PASSWORD}
      key_prefix: screening     # alphanumeric, as in Rasa
      lock_lifetime: 60         # seconds a ticket (waiting + holding) lives at most

Why: Rasa 3.6's RedisLockStore reads the ticket list, changes it in Python and writes it back
(GET ... SET), so two Rasa processes can issue the same ticket or drop each other's and then both
handle one conversation at once (RasaHQ/rasa#9213). Here every step is one Lua script, which Redis
runs atomically:

- issue: INCR a per-conversation counter for the ticket number, add the ticket (number, expiry,
  random token) to a sorted set ordered by number;
- acquire: drop expired tickets, then the caller holds the lock when its ticket is the lowest
  (first come, first served, as Rasa's TicketLock); its ticket gone means it expired: LockError;
- release: remove the caller's own ticket only (its token is part of it: compare-and-delete),
  and delete both keys when nobody waits.

Expiry uses Redis's clock (`TIME`), so a process that died holding a conversation blocks it for
at most `lock_lifetime` seconds, and the keys themselves expire too. Waiting callers poll every
`poll_interval` seconds (Rasa's default is a full second, which a queued turn would wait out).
"""

from __future__ import annotations

import asyncio
import logging
import uuid
from collections import deque
from contextlib import asynccontextmanager
from typing import Any, AsyncGenerator, List, Optional, Text

from rasa.core.lock import Ticket, TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LOCK_LIFETIME, LockError, LockStore

logger = logging.getLogger(__name__)

# Ticket member: "<number>:<expires ms>:<token>"; the sorted set's score is the number.
_PURGE = """
local function purge(q, now)
  for _, m in ipairs(redis.call('ZRANGE', q, 0, -1)) do
    local exp = tonumber(string.match(m, '^%d+:(%d+):'))
    if exp <= now then redis.call('ZREM', q, m) end
  end
end
local t = redis.call('TIME')
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
"""
ISSUE = (
    _PURGE
    + """
purge(KEYS[1], now)
local lifetime = tonumber(ARGV[1])
local number = redis.call('INCR', KEYS[2])
local member = number .. ':' .. (now + lifetime) .. ':' .. ARGV[2]
redis.call('ZADD', KEYS[1], number, member)
for _, k in ipairs(KEYS) do
  if redis.call('PTTL', k) < lifetime then redis.call('PEXPIRE', k, lifetime) end
end
return member
"""
)
ACQUIRE = (
    _PURGE
    + """
purge(KEYS[1], now)
if not redis.call('ZSCORE', KEYS[1], ARGV[1]) then return -1 end
return redis.call('ZRANK', KEYS[1], ARGV[1])
"""
)
RELEASE = (
    _PURGE
    + """
local removed = redis.call('ZREM', KEYS[1], ARGV[1])
purge(KEYS[1], now)
if redis.call('ZCARD', KEYS[1]) == 0 then redis.call('DEL', KEYS[1], KEYS[2]) end
return removed
"""
)


class AtomicRedisLockStore(LockStore):
    """Rasa's LockStore interface (`lock(conversation_id)`), atomic across processes."""

    def __init__(
        self,
        endpoint_config: Any = None,
        host: Text = "localhost",
        port: int = 6379,
        db: int = 1,
        username: Optional[Text] = None,
        password: Optional[Text] = None,
        key_prefix: Optional[Text] = None,
        lock_lifetime: Optional[float] = None,
        poll_interval: float = 0.02,
        socket_timeout: float = 10,
        use_ssl: bool = False,
    ) -> None:
        import redis
        import redis.asyncio

        if endpoint_config is not None:  # Rasa passes the endpoints.yml section as one object
            options = dict(endpoint_config.kwargs or {})
            host = endpoint_config.url or options.pop("host", host)
            port, db = options.pop("port", port), options.pop("db", db)
            username, password = options.pop("username", username), options.pop("password", password)
            key_prefix = options.pop("key_prefix", key_prefix)
            lock_lifetime = options.pop("lock_lifetime", lock_lifetime)
            poll_interval = float(options.pop("poll_interval", poll_interval))
            socket_timeout = float(options.pop("socket_timeout", socket_timeout))
            use_ssl = bool(options.pop("use_ssl", use_ssl))
        self.lock_lifetime = float(lock_lifetime or LOCK_LIFETIME)
        self.poll_interval = poll_interval
        self.key_prefix = DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        if key_prefix:
            if str(key_prefix).isalnum():
                self.key_prefix = f"{key_prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"
            else:
                logger.warning(f"Ignoring non-alphanumeric lock store key prefix; using '{self.key_prefix}'.")
        if "://" in str(host):
            self._red = redis.asyncio.Redis.from_url(str(host), socket_timeout=socket_timeout)
            self._sync = redis.Redis.from_url(str(host), socket_timeout=socket_timeout)
        else:
            options = dict(
                host=host,
                port=int(port),
                db=int(db),
                username=username,
                password=password,
                ssl=use_ssl,
                socket_timeout=socket_timeout,
            )
            self._red = redis.asyncio.Redis(**options)
            self._sync = redis.Redis(**options)
        self._issue = self._red.register_script(ISSUE)
        self._acquire = self._red.register_script(ACQUIRE)
        self._release = self._red.register_script(RELEASE)
        super().__init__()

    def _keys(self, conversation_id: Text) -> List[Text]:
        base = self.key_prefix + conversation_id
        return [base + ":tickets", base + ":seq"]

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: Text,
        lock_lifetime: Optional[float] = None,
        wait_time_in_seconds: Optional[float] = None,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold `conversation_id` for the block; waits its turn; LockError if its ticket expires."""
        lifetime_ms = int(1000 * (lock_lifetime or self.lock_lifetime))
        poll = self.poll_interval if wait_time_in_seconds is None else min(wait_time_in_seconds, self.poll_interval)
        keys = self._keys(conversation_id)
        member = (await self._issue(keys=keys, args=[lifetime_ms, uuid.uuid4().hex])).decode()
        try:
            while True:
                rank = await self._acquire(keys=keys, args=[member])
                if rank == 0:
                    break
                if rank < 0:
                    raise LockError(f"Could not acquire lock for conversation_id '{conversation_id}'.")
                await asyncio.sleep(poll)
            number, expires_ms, _token = member.split(":")
            yield TicketLock(conversation_id, deque([Ticket(int(number), int(expires_ms) / 1000)]))
        finally:
            try:
                await self._release(keys=keys, args=[member])
            except Exception:  # the ticket expires anyway; never hide the block's own exception
                logger.exception("Could not release the lock; it expires with its lifetime.")

    # ---- the rest of Rasa's interface, for inspection -------------------------------------------
    def get_lock(self, conversation_id: Text) -> Optional[TicketLock]:
        members = self._sync.zrange(self._keys(conversation_id)[0], 0, -1)
        if not members:
            return None
        tickets = [m.decode().split(":") for m in members]
        return TicketLock(conversation_id, deque(Ticket(int(n), int(e) / 1000) for n, e, _ in tickets))

    def delete_lock(self, conversation_id: Text) -> None:
        self._log_deletion(conversation_id, bool(self._sync.delete(*self._keys(conversation_id))))

    def save_lock(self, lock: TicketLock) -> None:
        raise NotImplementedError("tickets are issued and released atomically inside lock(); see the module docstring")

    def issue_ticket(self, conversation_id: Text, lock_lifetime: float = LOCK_LIFETIME) -> int:
        raise NotImplementedError("use lock(): a ticket issued outside it would have no owner to release it")
