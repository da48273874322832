"""Child process for tests/integration/test_lock_store.py: take one conversation's lock for many rounds.

argv: key_prefix conversation rounds out_file mode [lifetime]
both racing modes wait for out_file.ready -> a "go" file beside it.
mode "race": per round, lock, record enter/exit (CLOCK_MONOTONIC is system-wide), hold ~2 ms, unlock.
mode "nolock": the same without the lock (proves the overlap check can fail).
mode "hold": take the lock, write "held" to out_file, sleep until killed.
"""

import asyncio
import sys
import time
from pathlib import Path

from rasa_plugins.lock_store import AtomicRedisLockStore


async def main(prefix: str, conversation: str, rounds: int, out: Path, mode: str, lifetime: float) -> None:
    store = AtomicRedisLockStore(
        host="127.0.0.1", port=6379, db=0, key_prefix=prefix, lock_lifetime=lifetime, poll_interval=0.001
    )
    lines = []
    if mode != "hold":  # start barrier: both processes begin their rounds together
        Path(str(out) + ".ready").touch()
        while not (out.parent / "go").exists():
            await asyncio.sleep(0.005)
    if mode == "hold":
        async with store.lock(conversation):
            out.write_text(f"held {time.time()}\n")
            await asyncio.sleep(3600)
    for _ in range(rounds):
        if mode == "race":
            async with store.lock(conversation):
                enter = time.monotonic_ns()
                await asyncio.sleep(0.002)
                lines.append(f"{enter} {time.monotonic_ns()}")
        else:
            enter = time.monotonic_ns()
            await asyncio.sleep(0.002)
            lines.append(f"{enter} {time.monotonic_ns()}")
        await asyncio.sleep(0)  # let the other process in between rounds
    out.write_text("\n".join(lines) + "\n")


if __name__ == "__main__":
    prefix, conversation, rounds, out, mode = sys.argv[1:6]
    lifetime = float(sys.argv[6]) if len(sys.argv) > 6 else 30.0
    asyncio.run(main(prefix, conversation, int(rounds), Path(out), mode, lifetime))
