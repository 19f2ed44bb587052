"""The real training worker: ``python -m tuneup.lab.engine.worker SPEC_PATH``.

One process per job (see WORKER-CONTRACT): it reads the SPEC file, trains, and reports on
stdout in JSON lines; logs and tracebacks go to stderr. It ends with exactly one of
``done`` (exit 0), ``cancelled`` (exit 0) or ``error`` (exit 1, or 2 for a bad command
line). Nothing reaches the network: the Hugging Face libraries are switched offline
before they are imported.
"""

from __future__ import annotations

import os
import signal
import sys
import traceback
from pathlib import Path

from tuneup.lab.engine.events import Emitter, claim_stdout
from tuneup.lab.engine.failure import EngineError
from tuneup.lab.engine.jobspec import load_spec
from tuneup.lab.engine.loop import Cancelled, Job, StopFlag

OFFLINE_ENV = {
    "HF_HUB_OFFLINE": "1",
    "TRANSFORMERS_OFFLINE": "1",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "TOKENIZERS_PARALLELISM": "false",
}


def _out_of_memory(exc: BaseException) -> bool:
    return isinstance(exc, MemoryError) or (
        type(exc).__name__ == "OutOfMemoryError" or "out of memory" in str(exc).lower()
    )


def run(spec_path: Path, emit: Emitter) -> int:
    stop = StopFlag(None)
    signal.signal(signal.SIGTERM, stop.on_signal)
    try:
        spec = load_spec(spec_path)
        stop.cancel_file = spec.cancel_file
        Job(spec, emit, stop).run()
        return 0
    except Cancelled as stopped:
        emit.emit("cancelled", step=stopped.step)
        return 0
    except EngineError as exc:
        emit.error(exc.code, str(exc))
        return 1
    except Exception as exc:  # the boundary: whatever else failed is told, not thrown
        traceback.print_exc(file=sys.stderr)
        if _out_of_memory(exc):
            emit.error(
                "out_of_memory",
                "The trainer ran out of memory; try a smaller batch_size, shorter examples "
                "or a smaller base model.",
            )
        else:
            emit.error(
                "server_error",
                f"The trainer failed ({type(exc).__name__}: {exc}); see worker.log.",
            )
        return 1


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    emit = Emitter(claim_stdout())
    if len(args) != 1:
        emit.error("invalid_spec", "Usage: python -m tuneup.lab.engine.worker SPEC_PATH")
        return 2
    for key, value in OFFLINE_ENV.items():
        os.environ[key] = value
    return run(Path(args[0]), emit)


if __name__ == "__main__":
    sys.exit(main())
