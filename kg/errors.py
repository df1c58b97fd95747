"""The one user-facing exception: a message that says what went wrong and where."""

from __future__ import annotations


class KgError(Exception):
    """A problem with the user's input or request (not a bug).

    ``str(err)`` is one line: ``path:line:column: message`` with the parts known.
    """

    def __init__(self, message: str, path: str | None = None, line: int | None = None,
                 column: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.path = path
        self.line = line
        self.column = column
        self.hint = hint

    def __str__(self) -> str:
        where = ":".join(str(p) for p in (self.path, self.line, self.column) if p is not None)
        text = f"{where}: {self.message}" if where else self.message
        return f"{text}; {self.hint}" if self.hint else text
