"""marsad's exception hierarchy: every error a user can cause is a MarsadError with a clear message."""


class MarsadError(Exception):
    """Base of every error marsad raises on purpose."""


class InputError(MarsadError):
    """An input could not be read or understood. ``origin`` names it."""

    def __init__(self, origin: str, problem: str):
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")


class StoreError(MarsadError):
    """The store could not be opened, migrated or written."""
