"""Domain errors: the two error paths of the bot.

`UserError` is an expected problem (bad argument, missing permission, unknown
branch). Its message is Simplified Chinese and is shown to the user as is.
Anything else is a bug and goes to the error handler, which logs it and tells
the admins.
"""


class UserError(Exception):
    """An expected problem whose message the user sees."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class DataFileError(Exception):
    """A file under the data directory cannot be read; the bot must not overwrite it."""

    def __init__(self, path: str, reason: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.path = path
        self.reason = reason
