"""llama.cpp's own OpenAI-compatible server (``llama_cpp.server``) on loopback, for the HTTP backends' tests."""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def llama_server(model: str, log: Path, *options: str, ready_within: float = 120) -> Iterator[str]:
    """Serve ``model`` on 127.0.0.1 and yield the API's base URL (``http://127.0.0.1:<port>/v1``).

    ``options`` are further ``llama_cpp.server`` options. The test fails with the server's log when it
    exits or does not answer ``/models`` in time (any HTTP status counts); the server is stopped on the way out either way.
    """
    port = free_port()
    cmd = [
        sys.executable, "-m", "llama_cpp.server", "--model", model, "--host", "127.0.0.1",
        "--port", str(port), *options,
    ]  # fmt: skip
    with log.open("w") as out:
        proc = subprocess.Popen(cmd, stdout=out, stderr=subprocess.STDOUT)
    try:
        url = f"http://127.0.0.1:{port}/v1"
        deadline = time.monotonic() + ready_within
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"{url}/models", timeout=2):
                    break
            except urllib.error.HTTPError:  # it answers (401: the server wants an API key)
                break
            except OSError:
                if proc.poll() is not None:
                    pytest.fail(f"llama_cpp.server exited: {log.read_text()[-2000:]}")
                time.sleep(0.5)
        else:
            pytest.fail(f"llama_cpp.server did not answer within {ready_within:g} s")
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
