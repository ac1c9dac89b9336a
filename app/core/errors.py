"""Domain errors shared by every module. Each carries a message a person can read (Spanish)
and maps to one HTTP status (DESIGN "REST": 403/404/409/422)."""


class DomainError(Exception):
    status = 422

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field

    def to_dict(self) -> dict:
        body = {"message": self.message}
        if self.field:
            body["field"] = self.field
        return body


class ValidationError(DomainError):
    """Bad input: the message names the field or the rule."""

    status = 422


class ActionNotAllowed(DomainError):
    """The state, the role, the ownership or a guard refuses the action."""

    status = 403


class Conflict(DomainError):
    """Someone else changed the record first (lost race or stale version)."""

    status = 409


class NotFound(DomainError):
    """Not visible in the active company (or does not exist)."""

    status = 404


class FieldErrors(ValidationError):
    """Several fields wrong at once (issue 9: all errors at once, each beside its field).

    `errors` maps a field name to its message; `message` is the first one, so code that
    reads a single DomainError still says something true."""

    status = 422

    def __init__(self, errors: dict[str, str]):
        first_field, first_message = next(iter(errors.items()))
        super().__init__(first_message, field=first_field)
        self.errors = dict(errors)

    def to_dict(self) -> dict:
        return {**super().to_dict(), "errors": self.errors}
