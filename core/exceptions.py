from core.reasons import Reason


class ApplicationError(Exception):
    """A business rule refused the request; the message is safe to show to the user.

    Given a Reason, the error keeps it (`reason`) for whoever stores it, to be shown later in
    the viewer's language; `message` is that reason in the language active when raised.
    """

    def __init__(
        self, message: "str | Reason", *, field: str | None = None, extra: dict | None = None
    ):
        self.reason = message if isinstance(message, Reason) else None
        text = str(message)
        super().__init__(text)
        self.message = text
        self.field = field
        self.extra = extra or {}
