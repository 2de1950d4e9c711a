"""Enterprise roles and statuses, mirroring contracts/libraries/Roles.sol and IEnterpriseRegistry."""

from __future__ import annotations

from enum import IntEnum, IntFlag

from shanglian.errors import InputError


class Role(IntFlag):
    PRODUCER = 1 << 0
    PROCESSOR = 1 << 1
    LOGISTICS = 1 << 2
    RETAILER = 1 << 3  # e-commerce sellers included
    QUALITY_ALLIANCE = 1 << 4
    INSPECTOR = 1 << 5
    CORE_ENTERPRISE = 1 << 6
    SUPPLIER = 1 << 7
    FINANCIER = 1 << 8
    REGULATOR = 1 << 9
    PLATFORM = 1 << 10  # relays consumer scans
    NOTARY = 1 << 11  # 公证处: attests evidence, annotates disputes


ALL_ROLES = Role((1 << 12) - 1)


class Status(IntEnum):
    NONE = 0
    APPLIED = 1
    ACTIVE = 2
    SUSPENDED = 3
    REVOKED = 4
    REJECTED = 5
    OPERATOR = 6  # the account acts for an enterprise (operatorOf)


def role_names(mask: int) -> list[str]:
    return [role.name.lower() for role in Role if mask & role]


def parse_roles(text: str, field: str = "roles") -> Role:
    """'producer,retailer' (names, case and '-'/'_' free) into a mask; at least one role."""
    mask = Role(0)
    names = [part.strip() for part in text.split(",") if part.strip()]
    if not names:
        raise InputError(field, "name at least one role: " + ", ".join(role_names(ALL_ROLES)))
    for name in names:
        key = name.upper().replace("-", "_")
        if key not in Role.__members__:
            raise InputError(field, f"unknown role {name!r}; roles are " + ", ".join(role_names(ALL_ROLES)))
        mask |= Role[key]
    return mask
