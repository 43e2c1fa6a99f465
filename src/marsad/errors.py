"""marsad's exception hierarchy: every error a user can cause is a MarsadError with a clear message.

Every class here survives ``pickle`` (and so a trip back from a worker process): an error built
with extra constructor arguments says how to rebuild itself in ``__reduce__``.
"""

from __future__ import annotations


class MarsadError(Exception):
    """Base of every error marsad raises on purpose."""


class InputError(MarsadError):
    """An input could not be read or understood. ``origin`` names it, ``problem`` says why."""

    def __init__(self, origin: str, problem: str):
        self.origin = origin
        self.problem = problem
        super().__init__(f"{origin}: {problem}")

    def __reduce__(self):
        return (type(self), (self.origin, self.problem))

    def __eq__(self, other: object) -> bool:
        return (type(other) is type(self) and other.origin == self.origin  # type: ignore[attr-defined]
                and other.problem == self.problem)  # type: ignore[attr-defined]

    def __hash__(self) -> int:
        return hash((type(self), self.origin, self.problem))


class FetchError(InputError):
    """A URL could not be fetched (network error, HTTP error, too large, too many redirects).
    ``origin`` is the URL, ``problem`` says why."""


class AddressRefused(FetchError):
    """A URL was refused before any request: not http(s), or its host resolves to a loopback,
    private, link-local, metadata or otherwise non-public address that was not allowed."""


class RobotsDisallowed(FetchError):
    """The site's robots.txt does not allow marsad to fetch this URL."""


class StoreError(MarsadError):
    """The store could not be opened, migrated or written."""


class StateVersionError(MarsadError):
    """A saved dedup or story state was written in another state format version (see
    docs/STATE.md); the pipeline rebuilds an older one from the stored articles."""


class ModelMissing(MarsadError):
    """A model file that ships inside the package is absent (the installation is incomplete)."""


class StoryNotFound(MarsadError):
    """No story (or more than one) matches the id or id prefix asked for."""


__all__ = ["MarsadError", "InputError", "FetchError", "AddressRefused", "RobotsDisallowed", "StoreError", "StateVersionError", "ModelMissing", "StoryNotFound"]
