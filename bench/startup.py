"""Start-up time: process start to the menu, next to importing prompt_toolkit and rich.

Run: .venv/bin/python bench/startup.py [runs]
Both are measured in the same run, best of N, so the ratio is fair on a busy machine.
Target: ratio <= 1.5.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
import time


def _best(cmd: list[str], runs: int, stdin: str | None, env: dict[str, str]) -> float:
    best = float("inf")
    for _ in range(runs):
        start = time.perf_counter()
        out = subprocess.run(cmd, input=stdin, capture_output=True, text=True, env=env)
        elapsed = time.perf_counter() - start
        if out.returncode != 0:
            raise SystemExit(f"{cmd!r} failed: {out.stderr.strip()}")
        best = min(best, elapsed)
    return best


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 7
    with tempfile.TemporaryDirectory() as home:
        env = dict(os.environ, TUNEUP_HOME=home)
        base = _best([sys.executable, "-c", "import prompt_toolkit, rich"], runs, None, env)
        # Piped stdin: the menu is printed, then `q` quits at once.
        menu = _best([sys.executable, "-m", "tuneup"], runs, "q\n", env)
    print(f"import prompt_toolkit, rich : {base * 1000:7.1f} ms")
    print(f"tuneup to menu (and quit)   : {menu * 1000:7.1f} ms")
    print(f"ratio                       : {menu / base:7.2f}x (target <= 1.5x)")


if __name__ == "__main__":
    main()
