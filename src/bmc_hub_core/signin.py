"""Browser sign-in sessions: the cookie holds a signed session id, never the token.

Signing in with a token creates a row in ``hub_sessions`` (role, a hash of the token,
expiry) and sets a cookie with the row's id signed by the hub's key (itsdangerous,
HMAC-SHA256, with the time it was issued). A leaked cookie is therefore not a leaked
token: it expires (``BMC_HUB_SESSION_HOURS``), sign-out ends it, and rotating the token
it was made with ends it too. The key is ``BMC_HUB_SECRET_KEY``, or one the hub makes
once and keeps in ``hub_secrets`` so every worker and replica shares it.

Checking a cookie costs no database read when its signature or age is wrong; a good one
is looked up once and then trusted for :data:`ACTIVE_CACHE_SECONDS` (a sign-out on
another worker is seen within that time).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import secrets
import time
from dataclasses import dataclass

import sqlalchemy as sa
from itsdangerous import BadSignature, URLSafeTimedSerializer
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError

from .db import hub_secrets, hub_sessions, utcnow
from .settings import Settings

log = logging.getLogger(__name__)

COOKIE_NAME = "bmc_hub_session"
KEY_NAME = "session_signing_key"
ACTIVE_CACHE_SECONDS = 10.0

Role = str  # "admin" | "api"


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class Session:
    id: str
    role: Role


class SignIn:
    """Creates, checks and ends browser sessions for one hub."""

    def __init__(self, engine: Engine, settings: Settings) -> None:
        self.engine = engine
        self.settings = settings
        self.max_age = int(settings.session_hours * 3600)
        self._serializer: URLSafeTimedSerializer | None = None
        #: session id → (checked at, still active)
        self._active: dict[str, tuple[float, bool]] = {}
        self._token_hashes = {
            "admin": {token_hash(settings.admin_token.get_secret_value())}
            if settings.admin_token
            else set(),
            "api": {token_hash(t) for t in settings.api_token_values},
        }

    # --- the key ---------------------------------------------------------------------

    def load_key(self) -> None:
        """Read (or make, once for the whole database) the signing key. Sync: call from
        a thread or the CLI, after the core's migrations."""
        key = self.settings.secret_key.get_secret_value() if self.settings.secret_key else None
        if key is None:
            key = self._stored_key()
        self._serializer = URLSafeTimedSerializer(key, salt="bmc-hub-session")

    def _stored_key(self) -> str:
        query = sa.select(hub_secrets.c.value).where(hub_secrets.c.name == KEY_NAME)
        with self.engine.connect() as conn:
            found = conn.execute(query).scalar()
        if found is not None:
            return str(found)
        made = secrets.token_urlsafe(48)
        try:
            with self.engine.begin() as conn:
                conn.execute(
                    sa.insert(hub_secrets).values(name=KEY_NAME, value=made, created_at=utcnow())
                )
            log.info("made a session signing key (set BMC_HUB_SECRET_KEY to choose one)")
            return made
        except IntegrityError:  # another worker made it first: use that one
            with self.engine.connect() as conn:
                return str(conn.execute(query).scalar_one())

    @property
    def serializer(self) -> URLSafeTimedSerializer:
        if self._serializer is None:
            self.load_key()
        assert self._serializer is not None
        return self._serializer

    # --- sessions --------------------------------------------------------------------

    def start(self, role: Role, token: str) -> str:
        """Create a session for someone who presented ``token``; returns the cookie value."""
        session_id = secrets.token_urlsafe(32)
        now = utcnow()
        with self.engine.begin() as conn:
            conn.execute(
                sa.insert(hub_sessions).values(
                    id=session_id,
                    role=role,
                    token_hash=token_hash(token),
                    created_at=now,
                    expires_at=now + dt.timedelta(seconds=self.max_age),
                )
            )
            # Housekeeping: sessions that ended or expired a day ago are gone for good.
            conn.execute(
                sa.delete(hub_sessions).where(
                    hub_sessions.c.expires_at < now - dt.timedelta(days=1)
                )
            )
        self._active[session_id] = (time.monotonic(), True)
        return str(self.serializer.dumps({"sid": session_id, "role": role}))

    def read(self, cookie: str | None) -> Session | None:
        """The session a cookie names, if its signature and age are good (no database)."""
        if not cookie:
            return None
        try:
            data = self.serializer.loads(cookie, max_age=self.max_age)
        except BadSignature:  # also SignatureExpired
            return None
        if not isinstance(data, dict) or data.get("role") not in ("admin", "api"):
            return None
        return Session(str(data.get("sid")), str(data["role"]))

    def is_cached(self, session: Session) -> bool | None:
        """The cached answer of :meth:`is_active`, or None when it must be asked."""
        cached = self._active.get(session.id)
        if cached is not None and time.monotonic() - cached[0] < ACTIVE_CACHE_SECONDS:
            return cached[1]
        return None

    def is_active(self, session: Session) -> bool:
        """Not ended, not expired, and its token is still one the hub accepts (sync)."""
        cached = self.is_cached(session)
        if cached is not None:
            return cached
        with self.engine.connect() as conn:
            row = conn.execute(
                sa.select(hub_sessions.c.token_hash, hub_sessions.c.role).where(
                    hub_sessions.c.id == session.id,
                    hub_sessions.c.ended_at.is_(None),
                    hub_sessions.c.expires_at > utcnow(),
                )
            ).first()
        active = (
            row is not None
            and row.role == session.role
            and row.token_hash in self._token_hashes.get(session.role, set())
        )
        self._active[session.id] = (time.monotonic(), active)
        return active

    def end(self, cookie: str | None) -> None:
        """Sign out: the session is ended for every worker (sync)."""
        session = self.read(cookie)
        if session is None:
            return
        with self.engine.begin() as conn:
            conn.execute(
                sa.update(hub_sessions)
                .where(hub_sessions.c.id == session.id)
                .values(ended_at=utcnow())
            )
        self._active[session.id] = (time.monotonic(), False)
