"""`chat` shows a reply from its first word: the white space a real model's first streamed
piece often starts with (or is made of) is dropped. A loopback server streams the reply in
pieces of 7 characters, as the SDK receives them from a provider."""

from __future__ import annotations

import os
import subprocess
import sys

from chat_server import ChatServerState, create_chat_app

from tuneup.lab.serve import serve_in_thread


def test_a_chat_reply_starts_at_its_first_word() -> None:
    # pieces: "\n      " (only white space), " Canber", "ra.  It", ...
    state = ChatServerState(reply="\n       Canberra.  It is the capital.")
    with serve_in_thread(create_chat_app(state)) as server:
        env = {**os.environ, "NO_COLOR": "1", "OPENAI_BASE_URL": server.base_url}
        env["OPENAI_API_KEY"] = "sk-test-chat-0123456789abcdef"
        proc = subprocess.run(
            [sys.executable, "-m", "tuneup", "chat", "ft:gpt-4.1-mini-2025-04-14:org::abc"],
            input="yes\nWhat is the capital of Australia?\nAnd again?\n/exit\n",
            capture_output=True,
            text=True,
            timeout=60,
            env=env,
        )
    assert proc.returncode == 0, proc.stderr
    # every reply, not just the first; the spaces inside a reply are kept
    assert proc.stdout.count("model> Canberra.  It is the capital.\n") == 2, proc.stdout
