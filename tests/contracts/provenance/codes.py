"""GS1 codes and parties of the provenance suites, shared by their conftest and modules."""

from shanglian.gs1 import gtin_check_digit
from shanglian.roles import Role

ROLES = tuple(role.name.lower() for role in Role)
PEAR_ORIGIN = ("砀山县良梨镇", 341321, 34_420_000, 116_350_000)
ZERO32 = b"\x00" * 32


def gs1_key(prefix, reference, digits):
    """The GS1 key of `digits` digits (14: a GTIN-14 with indicator 0; 13: a GLN) whose company
    prefix is the digit string `prefix` and whose reference number is `reference`."""
    body = prefix + str(reference).zfill(12 - len(prefix))
    body = body.zfill(digits - 1)
    return int(body + gtin_check_digit(body))


GTIN_PEARS = 6901234567892  # GTIN-14 06901234567892, under the producer's prefix 6901234
GTIN_SPARE = 6901234567915  # the producer's too; valid and never registered by the fixtures
GTIN_JUICE = gs1_key("6909876", 1, 14)  # the processor's prefix
GTIN_BLEND = gs1_key("6909876", 2, 14)  # the processor's; never registered by the fixtures

# Every party of the provenance suites: name -> roles (None: never onboarded). "producer_operator"
# is an operator of "producer"; "suspended" holds every role but is suspended. Every onboarded party
# holds a GS1 Company Prefix of its own (PREFIXES), under which it registers GTINs and GLNs.
PROVENANCE_PARTIES = {
    "producer": ("producer",),
    "producer_operator": None,
    "other_producer": ("producer",),
    "processor": ("processor",),
    "logistics": ("logistics",),
    "retailer": ("retailer",),
    "quality_alliance": ("quality_alliance",),
    "other_alliance": ("quality_alliance",),
    "inspector": ("inspector",),
    "regulator": ("regulator",),
    "platform": ("platform",),
    "core_enterprise": ("core_enterprise",),
    "supplier": ("supplier",),
    "financier": ("financier",),
    "suspended": tuple(ROLES),
    "stranger": None,
}


PREFIXES = {
    "producer": "6901234",
    "processor": "6909876",
    **{
        name: f"695{i:04d}"
        for i, (name, roles) in enumerate(PROVENANCE_PARTIES.items())
        if roles and name not in ("producer", "processor")
    },
}


def prefix_of(party):
    """The prefix a party registers under (an operator uses its enterprise's)."""
    return PREFIXES["producer" if party == "producer_operator" else party]


def gtin_of(party, reference=1):
    return gs1_key(prefix_of(party), reference, 14)


def gln_of(party, reference=1):
    return gs1_key(prefix_of(party), reference, 13)
