"""What the service hall's command groups share: the SDK objects on a session, documents given as a
file or a digest, the digest algorithm option, and how a party is shown."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import click
from rich.markup import escape

from shanglian.copyrights import Copyrights
from shanglian.digests import Algorithm, parse_algorithm
from shanglian.errors import InputError
from shanglian.evidence import Evidence
from shanglian.hall import document_digest
from shanglian.licences import Licences
from shanglian.cli.common import Session
from shanglian.registry import Registry


def hall_sdk(kind: type, name: str) -> Callable[[Session], Any]:
    """The SDK object of hall contract `name` on a session, naming enterprises through the registry."""

    def make(s: Session) -> Any:
        suite = s.suite()
        names = Registry(s.chain, suite.registry, None, s.from_block())
        return kind(s.chain, suite[name], s.sender, names, s.from_block(name))

    return make


evidence_sdk = hall_sdk(Evidence, "Evidence")
licences_sdk = hall_sdk(Licences, "Licences")
copyrights_sdk = hall_sdk(Copyrights, "Copyrights")


def algorithm_option(func: Callable[..., Any]) -> Callable[..., Any]:
    """--algorithm sha256|sm3, given to the command as an Algorithm (checked before connecting)."""

    @click.option("--algorithm", default="sha256", show_default=True, help="Digest algorithm: sha256 or sm3 (GB/T 32905).")
    @functools.wraps(func)
    def wrapper(*args: Any, algorithm: str, **kwargs: Any) -> Any:
        return func(*args, algorithm=parse_algorithm(algorithm, "algorithm"), **kwargs)

    return wrapper


def document(value: str | None, field: str, algorithm: Algorithm = Algorithm.SHA256, required: bool = True) -> bytes | None:
    """A file (hashed here, so the file never leaves this machine) or a 64-hex-digit digest."""
    if value is None:
        if required:
            raise InputError(field, "name a file or give its digest")
        return None
    return document_digest(value, algorithm, field)


def bytes32_id(value: str, field: str) -> bytes:
    """A record, licence or work id: 64 hex digits, with or without 0x."""
    from shanglian import validate

    return validate.bytes32(value, field)


def who(name: str, account: str | None) -> str:
    if not account:
        return "—"
    return f"{escape(name)}  {account}" if name else account
