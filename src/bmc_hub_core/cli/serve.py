"""``bmc-hub serve``: run the hub with uvicorn."""

from __future__ import annotations

import ipaddress
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile

import typer

from ..db import make_engine
from ..discovery import scan
from ..errors import BmcHubError
from ..logs import logging_config
from ..settings import Settings, load_settings

log = logging.getLogger(__name__)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def reload_dirs(allowed: set[str] | None) -> list[str]:
    """Source folders of editable-installed modules (PEP 610), plus the core's own."""
    from pathlib import Path

    dirs = {str(Path(__file__).resolve().parents[1])}
    for name, candidates in scan().items():
        if allowed is not None and name not in allowed:
            continue
        for candidate in candidates:
            source = candidate.editable_source()
            if source is not None and source.is_dir():
                dirs.add(str(source))
    return sorted(dirs)


def check_port(host: str, port: int) -> None:
    """Bind once before anything else happens: a busy port is one line (exit 1) here,
    before any migration runs, instead of a traceback after startup."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    with socket.socket(family, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
        try:
            probe.bind((host, port))
        except OSError as exc:
            reason = exc.strerror or str(exc)
            raise BmcHubError(
                f"cannot listen on {host}:{port}: {reason.lower()}; stop whatever uses the "
                f"port or pick another one (bmc-hub serve --port {port + 1})"
            ) from None


def check_database(settings: Settings) -> None:
    """Connect once before uvicorn starts: an unreachable or missing database is one line
    (exit 1) here, instead of a traceback from every worker's startup."""
    engine = make_engine(settings.database_url, pre_ping=settings.database_pre_ping)
    try:
        with engine.connect():
            pass
    finally:
        engine.dispose()


def serve(
    host: str = typer.Option("127.0.0.1", help="Interface to bind."),
    port: int = typer.Option(8000, help="Port to bind."),
    reload: bool = typer.Option(
        False, "--reload", help="Restart on code changes (core and editable modules)."
    ),
    workers: int = typer.Option(1, min=1, help="Worker processes."),
    with_worker: bool = typer.Option(
        False,
        "--with-worker",
        help="Also run a job worker (bmc-hub worker) next to the server, for one machine.",
    ),
) -> None:
    """Serve the hub (settings from BMC_HUB_* variables and .env)."""
    settings = load_settings()  # fail fast, with one line, before uvicorn starts
    # The CLI quiets the core's loggers for its own table output; a server must log
    # (module failures, toggles, this warning) at the configured level.
    logging.getLogger("bmc_hub_core").setLevel(settings.log_level_number)
    if not _is_loopback(host) and not settings.api_token_values:
        log.warning(
            "serving on %s without BMC_HUB_API_TOKENS: every data route is open to anyone "
            "who can reach this address; set BMC_HUB_API_TOKENS",
            host,
        )
    if reload and workers > 1:
        raise typer.BadParameter("--reload runs one worker; drop --workers", param_hint="--reload")
    check_port(host, port)
    check_database(settings)
    options: dict[str, object] = {}
    if reload:
        allowed = None if settings.allow_all else set(settings.allowed_names)
        options["reload_dirs"] = reload_dirs(allowed)
    import uvicorn  # only `serve` needs the server; other commands start faster

    metrics_dir = _metrics_across_workers(workers)
    job_worker = _start_job_worker() if with_worker else None

    try:
        uvicorn.run(
            "bmc_hub_core.app:app_from_env",
            factory=True,
            host=host,
            port=port,
            reload=reload,
            workers=workers,
            log_level=settings.log_level.lower(),
            log_config=logging_config(settings.log_level, settings.log_format),
            # The hub logs each request itself, with its id and duration (logs.RequestLog).
            access_log=False,
            **options,  # type: ignore[arg-type]
        )
    # uvicorn exits (SystemExit) when the app fails to start: the worker stops with it.
    finally:
        if job_worker is not None:
            job_worker.terminate()  # SIGTERM: it finishes the runs it started
            try:
                job_worker.wait(timeout=60)
            except subprocess.TimeoutExpired:
                job_worker.kill()
                job_worker.wait()
        if metrics_dir is not None:
            shutil.rmtree(metrics_dir, ignore_errors=True)


def _start_job_worker() -> subprocess.Popen[bytes]:
    """``bmc-hub worker`` as a process of its own (it forks a process per job run, which
    a server's threads make unsafe), stopped with the server."""
    command = [sys.executable, "-m", "bmc_hub_core.cli", "worker"]
    log.info("starting a job worker next to the server")
    return subprocess.Popen(command)


def _metrics_across_workers(workers: int) -> str | None:
    """Several workers: prometheus-client's multiprocess mode, so /metrics on any worker
    adds up every worker's numbers. A fresh folder per server run (workers inherit it);
    an operator's own PROMETHEUS_MULTIPROC_DIR is kept as it is."""
    from ..metrics import MULTIPROCESS_ENV

    if workers < 2 or os.environ.get(MULTIPROCESS_ENV):
        return None
    folder = tempfile.mkdtemp(prefix="bmc-hub-metrics-")
    os.environ[MULTIPROCESS_ENV] = folder
    return folder
