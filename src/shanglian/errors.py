"""One root exception for the SDK, with families below it.

Where a builtin fits, an error inherits it too: bad input is also a ``ValueError``, so callers
that already catch ``ValueError`` keep working.
"""

from __future__ import annotations

from typing import Any


class ShanglianError(Exception):
    """Root of every error the SDK raises on purpose."""


class InputError(ShanglianError, ValueError):
    """A user-supplied value is malformed. ``field`` names it, so the CLI can say which one."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.reason = message


class ConfigError(ShanglianError):
    """The network or project configuration is missing or inconsistent."""


class NetworkError(ShanglianError, ConnectionError):
    """The node could not be reached or answered out of protocol."""


class AccountError(ShanglianError):
    """A keystore is missing, unreadable, or its password is wrong."""


class DeploymentError(ShanglianError):
    """No usable deployment of the contract suite is recorded for this chain."""


class ContractError(ShanglianError):
    """A transaction or call reverted. ``name`` and ``args`` are the contract's custom error."""

    def __init__(self, name: str, args: dict[str, Any], contract: str | None = None, notice: str = "") -> None:
        rendered = ", ".join(f"{key}={_render(value)}" for key, value in args.items())
        super().__init__(f"{name}({rendered})" + (f": {notice}" if notice else ""))
        self.name = name
        self.args_by_name = args
        self.contract = contract
        self.notice = notice


def _render(value: Any) -> str:
    if isinstance(value, (bytes, bytearray)):
        return "0x" + bytes(value).hex()
    return str(value)


class DisclosureError(InputError):
    """A disclosed field does not prove into the receivable's document root. ``field`` names it."""


class NotAPartyError(InputError):
    """The account given (its key) opens none of a confidential receivable's sealed facts: it is not a
    party to it. An input error naming ``account``: the caller chose the wrong account."""

    def __init__(self, message: str) -> None:
        super().__init__("account", message)
