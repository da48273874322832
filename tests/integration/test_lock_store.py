"""AtomicRedisLockStore on a real Redis (127.0.0.1:6379): OS processes racing, a killed holder, ticket order."""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from tests.support import ROOT

WORKER = ROOT / "tests" / "support" / "lock_worker.py"
ROUNDS = 150


@pytest.fixture
def prefix():
    """A unique alphanumeric key prefix; every key under it is removed afterwards."""
    try:
        import redis

        red = redis.Redis(host="127.0.0.1", port=6379, db=0, socket_timeout=3)
        red.ping()
    except Exception as exc:  # noqa: BLE001
        reason = f"Redis at 127.0.0.1:6379 does not answer: {type(exc).__name__}: {exc}"
        if os.environ.get("CI") == "true":
            pytest.fail(reason)
        pytest.skip(reason)
    p = "test" + uuid.uuid4().hex[:12]
    yield p
    for key in red.scan_iter(f"{p}:*"):
        red.delete(key)


def spawn(*args: str) -> subprocess.Popen:
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    return subprocess.Popen([sys.executable, str(WORKER), *args], cwd=ROOT, env=env, start_new_session=True)


def race(prefix: str, tmp: Path, mode: str) -> list:
    outs = [tmp / f"{mode}{i}.txt" for i in range(2)]
    procs = [spawn(prefix, "conv1", str(ROUNDS), str(out), mode) for out in outs]
    try:
        deadline = time.time() + 120
        while not all(Path(str(out) + ".ready").exists() for out in outs):
            assert all(p.poll() is None for p in procs) and time.time() < deadline, "a worker did not start"
            time.sleep(0.02)
        (tmp / "go").touch()
        for p in procs:
            assert p.wait(180) == 0
    finally:
        for p in procs:
            if p.poll() is None:
                os.killpg(p.pid, signal.SIGKILL)
    spans = []
    for i, out in enumerate(outs):
        spans += [(int(a), int(b), i) for a, b in (line.split() for line in out.read_text().split("\n") if line)]
    return sorted(spans)


def overlaps(spans: list) -> int:
    return sum(1 for (a0, a1, _), (b0, _b1, _) in zip(spans, spans[1:]) if b0 < a1)


def test_two_processes_never_hold_one_conversation_at_once(prefix, tmp_path):
    spans = race(prefix, tmp_path, "race")
    assert len(spans) == 2 * ROUNDS
    assert overlaps(spans) == 0
    switches = sum(1 for x, y in zip(spans, spans[1:]) if x[2] != y[2])
    assert switches >= 10  # they really did take turns, not one after the other


def test_the_overlap_check_catches_unlocked_work(prefix, tmp_path):
    assert overlaps(race(prefix, tmp_path, "nolock")) > 0


def test_a_killed_holder_is_taken_over_after_its_lifetime(prefix, tmp_path):
    from rasa_plugins.lock_store import AtomicRedisLockStore

    marker = tmp_path / "held.txt"
    lifetime = 2.0
    holder = spawn(prefix, "conv2", "1", str(marker), "hold", str(lifetime))
    try:
        deadline = time.time() + 60
        while not marker.exists():
            assert holder.poll() is None and time.time() < deadline, "the holder never took the lock"
            time.sleep(0.02)
        held_at = float(marker.read_text().split()[1])
        os.killpg(holder.pid, signal.SIGKILL)
        holder.wait(10)
    finally:
        if holder.poll() is None:
            os.killpg(holder.pid, signal.SIGKILL)
    store = AtomicRedisLockStore(host="127.0.0.1", port=6379, db=0, key_prefix=prefix, lock_lifetime=30)
    assert store.get_lock("conv2").is_someone_waiting()  # the dead process's ticket is still there

    async def take() -> float:
        async with store.lock("conv2"):
            return time.time()

    got = asyncio.run(asyncio.wait_for(take(), 30))
    assert held_at + lifetime - 0.3 <= got <= held_at + lifetime + 3, got - held_at
    assert store.get_lock("conv2") is None  # released and cleaned up


def test_waiters_are_served_in_ticket_order_and_only_the_holder_releases(prefix):
    from rasa_plugins.lock_store import AtomicRedisLockStore

    async def main():
        store = AtomicRedisLockStore(
            host="127.0.0.1", port=6379, db=0, key_prefix=prefix, lock_lifetime=10, poll_interval=0.005
        )
        order = []

        async def turn(i):
            async with store.lock("conv3") as lock:
                order.append((i, lock.now_serving))
                await asyncio.sleep(0.06)  # longer than the gap between arrivals: a queue forms

        tasks = []
        for i in range(5):
            tasks.append(asyncio.create_task(turn(i)))
            await asyncio.sleep(0.02)  # issue tickets in a known order
        await asyncio.gather(*tasks)
        assert [i for i, _ in order] == list(range(5))
        assert [n for _, n in order] == [1, 2, 3, 4, 5]
        # a release with someone else's (forged) ticket removes nothing
        async with store.lock("conv3"):
            keys = store._keys("conv3")
            assert await store._release(keys=keys, args=["1:99999999999999:forged"]) == 0
            assert store.get_lock("conv3").is_someone_waiting()
        assert store.get_lock("conv3") is None
        await store._red.close()

    asyncio.run(main())


def test_endpoints_yml_section_configures_the_store(prefix, tmp_path):
    from rasa.core.lock_store import LockStore
    from rasa.utils.endpoints import read_endpoint_config

    from rasa_plugins.lock_store import AtomicRedisLockStore

    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "lock_store:\n  type: rasa_plugins.lock_store.AtomicRedisLockStore\n  url: 127.0.0.1\n  port: 6379\n"
        f"  db: 0\n  key_prefix: {prefix}\n  lock_lifetime: 7\n"
    )
    store = LockStore.create(read_endpoint_config(str(endpoints), "lock_store"))
    assert isinstance(store, AtomicRedisLockStore)
    assert store.lock_lifetime == 7 and store.key_prefix == f"{prefix}:lock:"

    async def main():
        async with store.lock("conv4") as lock:
            assert 6 < lock.tickets[0].expires - time.time() <= 7.5
            assert store.get_lock("conv4") is not None
        await store._red.close()

    asyncio.run(main())
    assert store.get_lock("conv4") is None
