"""One exception tree for the whole library.

Every error carries a stable, searchable code (``[SL104] ...``). Surfaces
translate these at the edge: the CLI prints one line and exits non-zero.

    StorylineError
    ├── InputError            SL1xx  a record or file that cannot be used
    ├── StoreError            SL2xx  the database or the vector index
    │   └── StoreLocked       SL203  another process holds the store's writer lock
    ├── SettingsError         SL3xx  unknown or badly typed settings
    ├── NotFoundError         SL4xx  an id that is not in the store
    ├── DependencyMissing     SL5xx  an optional extra that is not installed
    └── AccessError           SL6xx  a request the server refuses (no or wrong token)
"""

from __future__ import annotations

__all__ = [
    "StorylineError",
    "InputError",
    "StoreError",
    "StoreLocked",
    "SettingsError",
    "NotFoundError",
    "DependencyMissing",
    "AccessError",
    "Codes",
]


class Codes:
    """Stable error codes. Never reuse or renumber one."""

    # input
    BAD_JSON = "SL101"
    MISSING_FIELD = "SL102"
    BAD_DATE = "SL103"
    EMPTY_TEXT = "SL104"
    NOT_UTF8 = "SL105"
    BINARY = "SL106"
    TOO_LARGE = "SL107"
    BAD_FIELD = "SL108"
    NO_DATE_LINE = "SL109"
    ID_CONFLICT = "SL110"
    NO_INPUT = "SL111"
    UNKNOWN_FORMAT = "SL112"
    EMPTY_FILE = "SL113"
    BAD_PARAMETER = "SL114"  # a query parameter, path or request body field of the REST API
    # input from the web readers (issue 15): SL120-SL129
    NOT_REGULAR = "SL120"  # a FIFO, socket or device inside an input folder
    DAMAGED = "SL121"  # a truncated or damaged compressed file or archive record
    NO_ARTICLE = "SL122"  # a web page (or feed entry) without an article
    FETCH_FAILED = "SL123"  # a URL that could not be fetched (timeout, HTTP error, too large)
    ROBOTS = "SL124"  # a URL its site's robots.txt does not allow us to fetch
    NOT_A_FEED = "SL125"  # a feed file that is not RSS or Atom
    STAGE_FAILED = "SL130"  # a pipeline stage failed on this input; the rest of the batch was stored
    OVER_BUDGET = "SL131"  # this input's analysis took longer than article_time_budget_s; the rest was stored
    # store
    STORE_OPEN = "SL201"
    STORE_SCHEMA = "SL202"
    STORE_LOCKED = "SL203"  # one writer per store: another process is writing
    STORE_WRITE = "SL204"  # the store could not be written (disk full, I/O error, locked for too long)
    STORE_UNAVAILABLE = "SL205"  # the store's server could not be reached for a read (restarted, network down)
    # settings
    UNKNOWN_SETTING = "SL301"
    BAD_SETTING = "SL302"
    UNKNOWN_COMPONENT = "SL303"
    # lookups
    NOT_FOUND = "SL401"
    # dependencies
    MISSING_EXTRA = "SL501"
    # server access
    UNAUTHORIZED = "SL601"
    METHOD_NOT_ALLOWED = "SL602"
    BAD_HOST = "SL603"  # a Host header the server does not answer to (DNS rebinding)
    HEADER_TIMEOUT = "SL604"  # the request headers did not arrive within serve_header_timeout
    INTERNAL = "SL699"  # a bug: the server answers with this code instead of a stack trace


class StorylineError(Exception):
    """Base of every error Storyline raises on purpose."""

    code = "SL000"

    def __init__(self, message: str, *, code: str | None = None) -> None:
        if code is not None:
            self.code = code
        self.message = message
        super().__init__(f"[{self.code}] {message}")


class InputError(StorylineError):
    code = "SL100"

    def __init__(self, message: str, *, code: str | None = None, origin: str | None = None, line: int | None = None):
        where = ""
        if origin is not None:
            where = f"{origin}:{line}: " if line else f"{origin}: "
        self.origin = origin
        self.line = line
        self.reason = message
        super().__init__(where + message, code=code)


class StoreError(StorylineError):
    code = "SL200"


class StoreLocked(StoreError):
    """Another writer holds the store (its lock file names it); wait for it or try again later."""

    code = Codes.STORE_LOCKED


class StoreUnavailable(StoreError):
    """A read lost the store's server (restarted, network down); the next read connects again."""

    code = Codes.STORE_UNAVAILABLE


class SettingsError(StorylineError):
    code = "SL300"


class NotFoundError(StorylineError):
    code = Codes.NOT_FOUND


class DependencyMissing(StorylineError):
    code = Codes.MISSING_EXTRA

    def __init__(self, what: str, extra: str) -> None:
        super().__init__(f"{what} is not installed: pip install 'storyline[{extra}]'")


class AccessError(StorylineError):
    """The server refuses the request: a write without the right token."""

    code = Codes.UNAUTHORIZED
