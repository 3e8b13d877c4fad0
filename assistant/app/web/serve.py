"""Start the web app: refuse to listen beyond loopback without sign-in, warm up, print the address.

Sign-in is on whenever the host is not loopback (and on loopback with ``LOBBY_REQUIRE_LOGIN``); then
the users file must hold at least one user, or the server does not start, and a sign-in lasts
``LOBBY_SESSION_HOURS``. A file larger than ``LOBBY_MAX_FILE_MB`` is cut off by Gradio itself, a
request larger than ``LOBBY_MAX_UPLOAD_MB`` by :class:`~assistant.app.web.limits.BodyLimit`. The local
model answers one question at a time; Gradio's queue shows the others their place.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

from assistant.app.web.limits import BodyLimit
from assistant.app.web.sessions import expire_sessions
from assistant.services.users import check_exposure, user_store
from assistant.services.wiring import Services

#: Outgoing calls Gradio and the Hugging Face libraries would make (analytics, update checks, telemetry).
QUIET_ENVIRONMENT = {
    "GRADIO_ANALYTICS_ENABLED": "False",
    "HF_HUB_DISABLE_TELEMETRY": "1",
    "HF_HUB_OFFLINE": "1",
    "DO_NOT_TRACK": "1",
}


def quiet_environment() -> None:
    """Switch off every outgoing call the libraries would make; before gradio is imported."""
    for key, value in QUIET_ENVIRONMENT.items():
        os.environ.setdefault(key, value)


def upload_limit(max_file_mb: float) -> int:
    """Gradio's upload limit in bytes: ``LOBBY_MAX_FILE_MB``, as the ingest counts megabytes.

    Gradio stops reading a larger upload at the limit and answers 413, so an oversized POST never
    reaches the disk in full; the library then refuses anything the ingest would refuse anyway.
    """
    return int(max_file_mb * 1_000_000)


def serve(
    services: Services,
    *,
    host: str,
    port: int,
    announce: Callable[[str], None],
    block: bool = True,
) -> object:
    """Build and launch the app; ``announce`` gets the address line. Returns the Gradio app.

    Raises :class:`assistant.services.users.ExposureError` (Dutch, says how to add a user) when the host
    is exposed and no user exists.
    """
    quiet_environment()
    from starlette.middleware import Middleware

    from assistant.app.web.app import build_app, launch_options
    from assistant.app.web.context import WebContext

    settings = services.settings
    users = user_store(settings)
    needs_login = check_exposure(host, users, require_login=settings.require_login)
    local_model = (services.backend or settings.llm) == "llamacpp"
    ctx = WebContext(
        services,
        services.conversations,
        users if needs_login else None,
        serial_answers=local_model,
    )
    app = build_app(ctx)
    app.queue(default_concurrency_limit=4)

    def sign_in(name: str, password: str) -> bool:
        return users.authenticate(name, password) is not None

    app.launch(
        server_name=host, server_port=port, auth=sign_in if needs_login else None,
        auth_message="Log in met uw gebruikersnaam en wachtwoord." if needs_login else None,
        prevent_thread_lock=True, quiet=True, ssr_mode=False, show_error=True,
        max_file_size=upload_limit(settings.max_file_mb), **launch_options(),
        app_kwargs={"middleware": [Middleware(BodyLimit, max_bytes=upload_limit(settings.max_upload_mb))]},
    )  # fmt: skip
    if needs_login:
        expire_sessions(app, settings.session_hours)
    shown_host = "127.0.0.1" if host in {"0.0.0.0", "::"} else host
    announce(
        f"De assistent draait op http://{shown_host}:{app.server_port}/"
        + (" (inloggen verplicht)" if needs_login else "")
        + ". Ctrl-C stopt."
    )
    # The first question should not pay for loading the index and the embedding model.
    threading.Thread(target=services.warm_up, daemon=True, name="warm-up").start()
    if block:
        app.block_thread()
    return app
