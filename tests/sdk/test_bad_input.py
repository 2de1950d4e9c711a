"""Bad input, table-driven, through the CLI as a user runs it against a real Anvil with the suite
deployed: a malformed value of every user-supplied field of every command gets exactly one line on
stderr naming the field, exit status 2, no traceback, and sends nothing (the block number and the
signer's nonce are unchanged).

Each row keeps every other argument valid and well-formed (the signer is an active enterprise
holding every role), so the one bad value is what the command must refuse.
"""

from __future__ import annotations

import datetime as dt
import subprocess
from pathlib import Path

import pytest

from shanglian import devkeys, uscc
from shanglian.network import connect

from conftest import Node

ALL_ROLES = ("producer,processor,logistics,retailer,quality_alliance,inspector,core_enterprise,supplier,"
             "financier,regulator,platform,notary")
CODE = uscc.with_check_character("91341321MA2N0X2Y3")
BAD_CODE = CODE[:-1] + ("0" if CODE[-1] != "0" else "1")
LATER = (dt.date.today() + dt.timedelta(days=400)).isoformat()
PAST = "2020-01-01"
SUPPLIER = devkeys.addresses()[4]
STRANGER = "0x000000000000000000000000000000000000dEaD"
BAD_CHECKSUM = SUPPLIER[:-1] + (SUPPLIER[-1].lower() if SUPPLIER[-1].isupper() else SUPPLIER[-1].upper()) \
    if SUPPLIER[-1].isalpha() else "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD".replace("A", "a", 1)
GTIN = "6901234567892"
GLN = "6901234500011"
BATCH = "0x" + "ab" * 32  # well-formed; what a batch id looks like
TOKEN = "10000001"  # slot 1, fragment 1: well-formed
URI = f"https://id.example.cn/01/0{GTIN}/10/LOT-1/21/PEAR-000001"
HUGE = str(2**300)
SIGNER = "dev3"

ORIGIN = ["--place", "砀山县良梨镇", "--region-code", "341321", "--latitude", "34.42", "--longitude", "116.35"]


def with_(args: list[str], option: str, value: str) -> list[str]:
    """`args` with `option`'s value replaced (or the option appended)."""
    out = list(args)
    if option in out:
        out[out.index(option) + 1] = value
    else:
        out += [option, value]
    return out


APPLY = ["enterprise", "apply", "--account", "dev5", "--name", "梨园", "--credit-code", CODE, "--roles", "producer",
         "--licence", "lic-1", "--licence-expiry", LATER]
RENEW = ["enterprise", "renew-licence", SUPPLIER, "--account", "dev0", "--licence", "lic-2", "--licence-expiry", LATER]
PRODUCT = ["product", "register", "--account", SIGNER, "--gtin", GTIN, "--name", "砀山酥梨"]
LOCATION = ["location", "register", "--account", SIGNER, "--gln", GLN, *ORIGIN]
BATCH_CREATE = ["batch", "create", "--account", SIGNER, "--gtin", GTIN, "--lot", "LOT-1", *ORIGIN,
                "--production-date", "2025-09-01", "--serials", "PEAR-000001..PEAR-000010"]
TRANSFORM = ["batch", "transform", "--account", SIGNER, "--input", BATCH, "--gtin", GTIN, "--lot", "JUICE-1", *ORIGIN,
             "--production-date", "2025-09-02", "--quantity", "10"]
CERTIFY = ["batch", "certify", BATCH, "--account", SIGNER, "--certificate", "cert-1", "--expiry", LATER]
EVENT = ["event", "record", BATCH, "--account", SIGNER, "--step", "shipping", "--gln", GLN]
SCAN = ["scan", "record", BATCH, "--account", SIGNER, "--item", "PEAR-000001=2", "--key", "k1"]
ISSUE = ["receivable", "issue", "--account", SIGNER, "--creditor", SUPPLIER, "--amount", "1000.00", "--due", LATER,
         "--invoice", "INV-1"]
SPLIT = ["receivable", "split", TOKEN, "--account", SIGNER, "--to", SUPPLIER, "--amount", "10"]
OFFER = ["receivable", "offer", TOKEN, "--account", SIGNER, "--financier", SUPPLIER, "--price", "10"]
DEPLOY = ["deploy", "--account", "dev0", "--admins", ",".join(devkeys.addresses()[:3]), "--threshold", "2"]

CASES: list[tuple[str, str, list[str]]] = [
    # ---- enterprise
    ("apply name empty", "name", with_(APPLY, "--name", "")),
    ("apply name oversize", "name", with_(APPLY, "--name", "梨" * 33)),
    ("apply credit code check character", "credit_code", with_(APPLY, "--credit-code", BAD_CODE)),
    ("apply credit code length", "credit_code", with_(APPLY, "--credit-code", CODE[:-1])),
    ("apply credit code charset", "credit_code", with_(APPLY, "--credit-code", CODE[:-2] + "I" + CODE[-1])),
    ("apply roles unknown", "roles", with_(APPLY, "--roles", "farmer")),
    ("apply roles empty", "roles", with_(APPLY, "--roles", "")),
    ("apply licence empty", "licence", with_(APPLY, "--licence", "")),
    ("apply licence expiry past", "licence_expiry", with_(APPLY, "--licence-expiry", PAST)),
    ("apply licence expiry not a date", "licence_expiry", with_(APPLY, "--licence-expiry", "next year")),
    ("apply licence expiry impossible day", "licence_expiry", with_(APPLY, "--licence-expiry", "2030-02-30")),
    ("apply metadata uri oversize", "metadata_uri", with_(APPLY, "--metadata-uri", "https://x.cn/" + "a" * 4000)),
    ("approve account short", "account", ["enterprise", "approve", "0x1234", "--account", "dev0"]),
    ("approve account checksum", "account", ["enterprise", "approve", BAD_CHECKSUM, "--account", "dev0"]),
    ("approve roles unknown", "roles", ["enterprise", "approve", SUPPLIER, "--account", "dev0", "--roles", "farmer"]),
    ("reject account", "account", ["enterprise", "reject", "nope", "--account", "dev0"]),
    ("suspend account", "account", ["enterprise", "suspend", "0xZZ", "--account", "dev0"]),
    ("reinstate account", "account", ["enterprise", "reinstate", "0x12", "--account", "dev0"]),
    ("revoke account", "account", ["enterprise", "revoke", "12", "--account", "dev0"]),
    ("set-roles roles", "roles", ["enterprise", "set-roles", SUPPLIER, "--account", "dev0", "--roles", "banker"]),
    ("set-roles account", "account", ["enterprise", "set-roles", "0x12", "--account", "dev0", "--roles", "supplier"]),
    ("renew licence expiry past", "licence_expiry", with_(RENEW, "--licence-expiry", PAST)),
    ("renew licence empty", "licence", with_(RENEW, "--licence", " ")),
    ("renew account", "account", ["enterprise", "renew-licence", "0x1", *RENEW[3:]]),
    ("show account", "account", ["enterprise", "show", "not-an-address"]),
    ("show unknown enterprise", "account", ["enterprise", "show", STRANGER]),
    ("add-operator operator", "operator", ["enterprise", "add-operator", "0xZZ", "--account", SIGNER]),
    ("remove-operator operator", "operator", ["enterprise", "remove-operator", "0x12", "--account", SIGNER]),
    ("accept-operator enterprise", "account", ["enterprise", "accept-operator", "0x12", "--account", SIGNER]),
    ("clear-operator operator", "operator", ["enterprise", "clear-operator", "0xZZ", "--account", "dev0"]),
    ("assign-prefix account", "account", ["enterprise", "assign-prefix", "0x12", "--prefix", "6901234", "--account", "dev0"]),
    ("assign-prefix short", "prefix", ["enterprise", "assign-prefix", SUPPLIER, "--prefix", "690", "--account", "dev0"]),
    ("assign-prefix long", "prefix", ["enterprise", "assign-prefix", SUPPLIER, "--prefix", "6" * 13, "--account", "dev0"]),
    ("assign-prefix letters", "prefix", ["enterprise", "assign-prefix", SUPPLIER, "--prefix", "69O1234", "--account", "dev0"]),
    ("revoke-prefix", "prefix", ["enterprise", "revoke-prefix", "12", "--account", "dev0"]),
    # ---- consortium
    ("add-admin admin", "admin", ["consortium", "add-admin", "0x12", "--account", "dev0"]),
    ("remove-admin admin", "admin", ["consortium", "remove-admin", "zz", "--account", "dev0"]),
    ("set-threshold word", "threshold", ["consortium", "set-threshold", "zero", "--account", "dev0"]),
    ("set-threshold zero", "threshold", ["consortium", "set-threshold", "0", "--account", "dev0"]),
    ("set-threshold above admins", "threshold", ["consortium", "set-threshold", "9", "--account", "dev0"]),  # contract
    # ---- deploy
    ("deploy admins", "admins", with_(DEPLOY, "--admins", "0x12,0x34")),
    ("deploy threshold zero", "threshold", with_(DEPLOY, "--threshold", "0")),
    ("deploy threshold above admins", "threshold", with_(DEPLOY, "--threshold", "4")),
    ("deploy settlement token", "settlement_token", DEPLOY + ["--settlement-token", "0xZZ"]),
    # ---- product, location
    ("product gtin check digit", "gtin", with_(PRODUCT, "--gtin", "6901234567893")),
    ("product gtin length", "gtin", with_(PRODUCT, "--gtin", "69012345678")),
    ("product gtin letters", "gtin", with_(PRODUCT, "--gtin", "69012345678X2")),
    ("product name oversize", "name", with_(PRODUCT, "--name", "x" * 97)),
    ("product name empty", "name", with_(PRODUCT, "--name", "")),
    ("product features oversize", "features", PRODUCT + ["--features", "x" * 513]),
    ("product name oversize multibyte", "name", with_(PRODUCT, "--name", "梨" * 40)),
    ("product show gtin", "gtin", ["product", "show", "123"]),
    ("product claim gtin", "gtin", ["product", "claim", "6901234567893", "--account", SIGNER]),
    ("location claim gln", "gln", ["location", "claim", "6901234500018", "--account", SIGNER]),
    ("location gln check digit", "gln", with_(LOCATION, "--gln", "6901234500018")),
    ("location gln length", "gln", with_(LOCATION, "--gln", "690123450001")),
    ("location place oversize", "place", with_(LOCATION, "--place", "梨" * 33)),
    ("location region code short", "region_code", with_(LOCATION, "--region-code", "34132")),
    ("location region code letters", "region_code", with_(LOCATION, "--region-code", "34132x")),
    ("location latitude range", "latitude", with_(LOCATION, "--latitude", "91")),
    ("location latitude word", "latitude", with_(LOCATION, "--latitude", "north")),
    ("location longitude range", "longitude", with_(LOCATION, "--longitude", "-181")),
    # ---- batch
    ("batch create gtin", "gtin", with_(BATCH_CREATE, "--gtin", "6901234567891")),
    ("batch create lot space", "lot", with_(BATCH_CREATE, "--lot", "LOT 1")),
    ("batch create lot non-ascii", "lot", with_(BATCH_CREATE, "--lot", "梨-1")),
    ("batch create lot hash sign", "lot", with_(BATCH_CREATE, "--lot", "LOT#1")),
    ("batch create lot oversize", "lot", with_(BATCH_CREATE, "--lot", "L" * 21)),
    ("batch create lot empty", "lot", with_(BATCH_CREATE, "--lot", "")),
    ("batch create production date future", "production_date", with_(BATCH_CREATE, "--production-date", "2099-01-01")),
    ("batch create production date word", "production_date", with_(BATCH_CREATE, "--production-date", "yesterday")),
    ("batch create quantity zero", "quantity", BATCH_CREATE + ["--quantity", "0"]),
    ("batch create quantity word", "quantity", BATCH_CREATE + ["--quantity", "ten"]),
    ("batch create serial outside set 82", "serials", with_(BATCH_CREATE, "--serials", "PEAR 1..PEAR 9")),
    ("batch create serial range reversed", "serials", with_(BATCH_CREATE, "--serials", "PEAR-000010..PEAR-000001")),
    ("batch create serial oversize", "serials", with_(BATCH_CREATE, "--serials", "P" * 15 + "000001.." + "P" * 15 + "000009")),
    ("batch create serial range shape", "serials", with_(BATCH_CREATE, "--serials", "PEAR-000001")),
    ("batch create region code", "region_code", with_(BATCH_CREATE, "--region-code", "1")),
    ("batch create metadata uri oversize", "metadata_uri", BATCH_CREATE + ["--metadata-uri", "https://x.cn/" + "a" * 4000]),
    ("batch show id", "batch", ["batch", "show", "0x1234"]),
    ("batch show gtin:lot check digit", "gtin", ["batch", "show", "6901234567893:LOT-1"]),
    ("batch show unknown", "batchId", ["batch", "show", BATCH]),  # contract
    ("batch transform input", "input", with_(TRANSFORM, "--input", "0x12")),
    ("batch transform lot", "lot", with_(TRANSFORM, "--lot", "JUICE 1")),
    ("batch transform quantity", "quantity", with_(TRANSFORM, "--quantity", "-3")),
    ("batch certify id", "batch", ["batch", "certify", "xyz", *CERTIFY[3:]]),
    ("batch request-certification alliance", "alliance",
     ["batch", "request-certification", BATCH, "--alliance", "0x12", "--account", SIGNER]),
    ("batch request-certification id", "batch",
     ["batch", "request-certification", "xyz", "--alliance", SUPPLIER, "--account", SIGNER]),
    ("batch certify expiry past", "expiry", with_(CERTIFY, "--expiry", PAST)),
    ("batch certify certificate empty", "certificate", with_(CERTIFY, "--certificate", "")),
    ("batch recall reason oversize", "reason", ["batch", "recall", BATCH, "--account", SIGNER, "--reason", "x" * 257]),
    ("batch recall reason empty", "reason", ["batch", "recall", BATCH, "--account", SIGNER, "--reason", ""]),
    ("batch recall id", "batch", ["batch", "recall", "0xZZ", "--account", SIGNER, "--reason", "mould"]),
    ("batch revoke-certification id", "batch", ["batch", "revoke-certification", "1", "--account", SIGNER]),
    # ---- custody
    ("custody offer to", "to", ["custody", "offer", BATCH, "--account", SIGNER, "--to", "0x12"]),
    ("custody offer id", "batch", ["custody", "offer", "0x12", "--account", SIGNER, "--to", SUPPLIER]),
    ("custody accept id", "batch", ["custody", "accept", "nope", "--account", SIGNER]),
    ("custody withdraw id", "batch", ["custody", "withdraw", "nope", "--account", SIGNER]),
    # ---- events and scans
    ("event step unknown", "step", with_(EVENT, "--step", "dancing")),
    ("event gln check digit", "gln", with_(EVENT, "--gln", "6901234500018")),
    ("event serial outside set 82", "serial", EVENT + ["--serial", "PEAR 1"]),
    ("event serial oversize", "serial", EVENT + ["--serial", "S" * 21]),
    ("event list serial", "serial", ["event", "list", BATCH, "--serial", "PEAR~1"]),
    ("scan item serial", "serial", with_(SCAN, "--item", "PEAR 1=2")),
    ("scan item count zero", "count", with_(SCAN, "--item", "PEAR-000001=0")),
    ("scan item count word", "count", with_(SCAN, "--item", "PEAR-000001=many")),
    # ---- trace and qr
    ("trace uri not a uri", "uri", ["trace", "not a uri"]),
    ("trace uri gtin check digit", "gtin", ["trace", URI.replace(f"0{GTIN}", "06901234567893")]),
    ("trace uri lot outside set 82", "lot", ["trace", URI.replace("LOT-1", "LOT%201")]),
    ("trace uri oversize", "serial", ["trace", URI + "A" * 5000]),
    ("qr uri", "uri", ["qr", "https://x.cn/01/123", "-o", "{tmp}/q.png"]),
    ("qr output type", "output", ["qr", URI, "-o", "{tmp}/q.gif"]),
    # ---- receivables
    ("issue creditor", "creditor", with_(ISSUE, "--creditor", "0x12")),
    ("issue amount zero", "amount", with_(ISSUE, "--amount", "0")),
    ("issue amount negative", "amount", with_(ISSUE, "--amount", "-5")),
    ("issue amount three decimals", "amount", with_(ISSUE, "--amount", "1.001")),
    ("issue amount word", "amount", with_(ISSUE, "--amount", "lots")),
    ("issue amount NaN", "amount", with_(ISSUE, "--amount", "NaN")),
    ("issue amount too large", "amount", with_(ISSUE, "--amount", "1" + "0" * 40)),
    ("issue due past", "due", with_(ISSUE, "--due", PAST)),
    ("issue due word", "due", with_(ISSUE, "--due", "soon")),
    ("issue invoice empty", "invoice", with_(ISSUE, "--invoice", "")),
    ("issue currency lower case", "currency", ISSUE + ["--currency", "cny"]),
    ("issue currency length", "currency", ISSUE + ["--currency", "CN"]),
    ("split token word", "token", ["receivable", "split", "abc", *SPLIT[3:]]),
    ("split token zero", "token", ["receivable", "split", "0", *SPLIT[3:]]),
    ("split token huge", "token", ["receivable", "split", HUGE, *SPLIT[3:]]),
    ("split token without fragment", "token", ["receivable", "split", "10000000", *SPLIT[3:]]),
    ("split to", "to", with_(SPLIT, "--to", "0x12")),
    ("split amount zero", "amount", with_(SPLIT, "--amount", "0")),
    ("split unknown token", "token", ["receivable", "split", "990000001", *SPLIT[3:]]),
    ("offer financier", "financier", with_(OFFER, "--financier", "bank")),
    ("offer price zero", "price", with_(OFFER, "--price", "0")),
    ("accept payment reference empty", "payment_reference",
     ["receivable", "accept", TOKEN, "--account", SIGNER, "--price", "10", "--payment-reference", ""]),
    ("accept token", "token", ["receivable", "accept", "0", "--account", SIGNER, "--price", "10", "--payment-reference", "p"]),
    ("accept price", "price", ["receivable", "accept", TOKEN, "--account", SIGNER, "--price", "ten", "--payment-reference", "p"]),
    ("withdraw token", "token", ["receivable", "withdraw", "x", "--account", SIGNER]),
    ("confirm-payment token", "token", ["receivable", "confirm-payment", "1.5", "--account", SIGNER]),
    ("settle token", "token", ["receivable", "settle", "0x10", "--account", SIGNER]),
    ("freeze slot", "slot", ["receivable", "freeze", "--slot", "one", "--account", SIGNER]),
    ("freeze token and slot", "token", ["receivable", "freeze", TOKEN, "--slot", "1", "--account", SIGNER]),
    ("unfreeze token", "token", ["receivable", "unfreeze", "abc", "--account", SIGNER]),
    ("show token", "token", ["receivable", "show", "abc"]),
    ("lineage slot", "slot", ["receivable", "lineage", "--slot", "-2"]),
    ("list holder", "holder", ["receivable", "list", "--holder", "0x12"]),
    ("disclose token", "token",
     ["receivable", "disclose", "abc", "--account", SIGNER, "--to", SUPPLIER, "--fields", "face_value"]),
    ("disclose to", "to",
     ["receivable", "disclose", TOKEN, "--account", SIGNER, "--to", "0x12", "--fields", "face_value"]),
    ("disclose field that does not exist", "fields",
     ["receivable", "disclose", TOKEN, "--account", SIGNER, "--to", SUPPLIER, "--fields", "face_value,discount"]),
    ("verify-disclosure not JSON", "disclosure", ["receivable", "verify-disclosure", "{tmp}/badkey.txt"]),
    ("verify-disclosure no file", "file", ["receivable", "verify-disclosure", "{tmp}/no-such-disclosure.json"]),
    # ---- accounts (no chain, but still one line, exit 2)
    ("account import key", "private_key", ["account", "import", "mine", "--key-file", "{tmp}/badkey.txt"]),
]

CSV_HEADER = "account,name,credit_code,roles,licence_hash,licence_expiry"
CSV_GOOD = f"{devkeys.addresses()[7]},企业甲,{uscc.with_check_character('91330001MA2H7C4L5')},supplier,h1,{LATER}"
CSV_CASES: list[tuple[str, str, str]] = [
    ("csv row account", "account", f"{CSV_HEADER}\n{CSV_GOOD}\n0x12,乙,{CODE},producer,h,{LATER}\n"),
    ("csv row credit code", "credit_code", f"{CSV_HEADER}\n{devkeys.addresses()[8]},乙,{BAD_CODE},producer,h,{LATER}\n"),
    ("csv row roles", "roles", f"{CSV_HEADER}\n{devkeys.addresses()[8]},乙,{CODE},farmer,h,{LATER}\n"),
    ("csv row licence expiry", "licence_expiry", f"{CSV_HEADER}\n{devkeys.addresses()[8]},乙,{CODE},producer,h,{PAST}\n"),
    ("csv row name oversize", "name", f"{CSV_HEADER}\n{devkeys.addresses()[8]},{'x' * 97},{CODE},producer,h,{LATER}\n"),
    ("csv row too few columns", "row", f"{CSV_HEADER}\n{devkeys.addresses()[8]},乙,{CODE}\n"),
    ("csv duplicate credit code", "credit_code", f"{CSV_HEADER}\n{CSV_GOOD}\n{devkeys.addresses()[8]},乙,{CSV_GOOD.split(',')[2]},producer,h,{LATER}\n"),
    ("csv duplicate account", "account", f"{CSV_HEADER}\n{CSV_GOOD}\n{CSV_GOOD.split(',')[0]},乙,{CODE},producer,h,{LATER}\n"),
    ("csv header", "csv", f"who,what\n{CSV_GOOD}\n"),
    ("csv empty", "csv", ""),
    ("csv not utf-8", "csv", None),  # written as GBK bytes below
]


@pytest.fixture(scope="module")
def node(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("bad-input")
    started = Node(tmp).start()
    for args in (
        ["deploy", "--account", "dev0"],
        ["enterprise", "apply", "--account", SIGNER, "--name", "全能企业", "--credit-code",
         uscc.with_check_character("91341321MA2N0X2Y4"), "--roles", ALL_ROLES, "--licence", "l", "--licence-expiry", LATER],
        ["enterprise", "approve", devkeys.addresses()[3], "--account", "dev0"],
        ["enterprise", "approve", devkeys.addresses()[3], "--account", "dev1"],
        ["enterprise", "apply", "--account", "dev4", "--name", "供应商", "--credit-code",
         uscc.with_check_character("91341321MA2N0X2Y6"), "--roles", "supplier", "--licence", "l", "--licence-expiry", LATER],
        ["enterprise", "approve", SUPPLIER, "--account", "dev0"],
        ["enterprise", "approve", SUPPLIER, "--account", "dev1"],
    ):
        result = cli(started, tmp, *args)
        assert result.returncode == 0, (args, result.stderr)
    (tmp / "badkey.txt").write_text("not a private key\n")
    (tmp / "doc.txt").write_text("赣南脐橙购销合同\n")
    yield started, tmp
    started.stop()


def cli(node: Node, tmp: Path, *args: str) -> subprocess.CompletedProcess[str]:
    """Runs `shanglian ARGS` in this process, as `python -m shanglian` would (same entry point, same
    exit status, same streams): a subprocess per case would spend most of the suite importing web3.
    An exception escaping `main` fails the test, as a traceback would. tests/sdk/test_cli.py keeps
    the subprocess form for a sample of these cases."""
    import contextlib
    import io
    import os

    from shanglian.cli import main

    args = tuple(a.replace("{tmp}", str(tmp)) for a in args)
    env = {**node.env(), "SHANGLIAN_PASSWORD": "correct horse battery staple"}
    saved = dict(os.environ)
    stdout, stderr = io.StringIO(), io.StringIO()
    os.environ.update(env)
    try:
        with contextlib.redirect_stdout(stdout), contextlib.redirect_stderr(stderr):
            try:
                main(list(args))
                code = 0
            except SystemExit as exit_:
                code = exit_.code if isinstance(exit_.code, int) else 1
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return subprocess.CompletedProcess(args, code, stdout.getvalue(), stderr.getvalue())


def signer_of(args: list[str]) -> str | None:
    if "--account" not in args:
        return None
    name = args[args.index("--account") + 1]
    return devkeys.addresses()[int(name.removeprefix("dev"))]


def assert_refused(node: Node, tmp: Path, field: str, args: list[str]) -> None:
    w3 = connect("testnode", str(node.config)).w3
    signer = signer_of(args)
    before = (w3.eth.block_number, signer and w3.eth.get_transaction_count(signer, "pending"))
    result = cli(node, tmp, *args)
    after = (w3.eth.block_number, signer and w3.eth.get_transaction_count(signer, "pending"))
    stderr = result.stderr
    assert "Traceback" not in stderr, stderr
    assert result.returncode == 2, f"exit {result.returncode}: {stderr!r}"
    assert stderr.count("\n") == 1 and stderr.startswith("error: "), stderr
    dashed = "--" + field.replace("_", "-")
    # The field leads the line; a value only the contract can judge is named in the custom error's
    # arguments (RegistryInvalidThreshold(threshold=9, ...)); click names its own options '--dashed'.
    assert (stderr.startswith(f"error: {field}") or f"'{dashed}'" in stderr or f" {field}:" in stderr
            or f"({field}=" in stderr), stderr
    assert after == before, "a transaction was sent"


CASES += [
    ("apply metadata uri not a uri", "metadata_uri",
     ["enterprise", "apply", "--account", "dev6", "--name", "梨园", "--credit-code",
      uscc.with_check_character("91341321MA2N0X2Y7"), "--roles", "producer", "--licence", "l",
      "--licence-expiry", LATER, "--metadata-uri", "not a uri"]),
    ("scan key empty", "key", with_(SCAN, "--key", "")),
]


# ---- the service hall (evidence, licences, copyright). {tmp}/doc.txt is written by the node fixture.
DOC = "{tmp}/doc.txt"
DIGEST = "0x" + "5a" * 32
RECORD = "0x" + "ab" * 32
EV_FILE = ["evidence", "file", DOC, "--account", SIGNER, "--kind", "contract"]
LIC_ISSUE = ["licence", "issue", "--account", SIGNER, "--holder", SUPPLIER, "--kind", "food-production",
             "--number", "SC11136072100123", "--document", DOC, "--valid-from", "2026-01-01", "--valid-until", LATER]
LIC_RENEW = ["licence", "renew", RECORD, "--account", SIGNER, "--document", DIGEST, "--valid-from", "2026-01-01",
             "--valid-until", LATER]
CR_LICENSE = ["copyright", "license", RECORD, "--account", SIGNER, "--licensee", SUPPLIER, "--start", "2026-01-01",
              "--end", LATER, "--terms", DIGEST]
CR_REGISTER = ["copyright", "register", DOC, "--account", SIGNER, "--title", "礼盒设计", "--authors", "李明"]
CASES += [
    ("evidence file kind", "kind", with_(EV_FILE, "--kind", "poem")),
    ("evidence file algorithm", "algorithm", EV_FILE + ["--algorithm", "md5"]),
    ("evidence file missing", "file", ["evidence", "file", "{tmp}/none.pdf", "--account", SIGNER]),
    ("evidence file folder", "file", ["evidence", "file", "{tmp}", "--account", SIGNER]),
    ("evidence file metadata", "metadata", EV_FILE + ["--metadata", "{tmp}/no-metadata.json"]),
    ("evidence file cosigner", "cosigner", EV_FILE + ["--cosigner", "0x12"]),
    ("evidence file batch without proofs", "proofs", ["evidence", "file", DOC, DOC, "--account", SIGNER]),
    ("evidence file zero digest", "file", ["evidence", "file", "0x" + "00" * 32, "--account", SIGNER]),
    ("evidence cosign record", "record", ["evidence", "cosign", "0x12", "--account", SIGNER]),
    ("evidence request-notarisation notary", "notary",
     ["evidence", "request-notarisation", RECORD, "--account", SIGNER, "--notary", "0xZZ"]),
    ("evidence request-notarisation record", "record",
     ["evidence", "request-notarisation", "12", "--account", SIGNER, "--notary", SUPPLIER]),
    ("evidence notarise certificate", "certificate",
     ["evidence", "notarise", RECORD, "--account", SIGNER, "--certificate", "{tmp}/no-certificate.pdf"]),
    ("evidence notarise record", "record", ["evidence", "notarise", "ab", "--account", SIGNER, "--certificate", DIGEST]),
    ("evidence annotate kind", "kind",
     ["evidence", "annotate", RECORD, "--account", SIGNER, "--kind", "gossip", "--document", DIGEST]),
    ("evidence annotate document", "document",
     ["evidence", "annotate", RECORD, "--account", SIGNER, "--kind", "dispute", "--document", "0x" + "00" * 32]),
    ("evidence show record", "record", ["evidence", "show", "record-1"]),
    ("evidence show unknown record", "record", ["evidence", "show", RECORD]),
    ("evidence verify missing file", "file", ["evidence", "verify", "{tmp}/none.pdf"]),
    ("evidence verify proofs", "proofs", ["evidence", "verify", DOC, "--proofs", "{tmp}/badkey.txt"]),
    ("licence issue holder", "holder", with_(LIC_ISSUE, "--holder", "0x12")),
    ("licence issue kind", "kind", with_(LIC_ISSUE, "--kind", "driving")),
    ("licence issue number empty", "number", with_(LIC_ISSUE, "--number", " ")),
    ("licence issue number not ascii", "number", with_(LIC_ISSUE, "--number", "食证字第1号")),
    ("licence issue number oversize", "number", with_(LIC_ISSUE, "--number", "S" * 33)),
    ("licence issue document", "document", with_(LIC_ISSUE, "--document", "{tmp}/no-licence.pdf")),
    ("licence issue valid from", "valid_from", with_(LIC_ISSUE, "--valid-from", "2026-13-01")),
    ("licence issue valid until before from", "valid_until", with_(LIC_ISSUE, "--valid-until", "2025-12-31")),
    ("licence issue valid until past", "valid_until",
     with_(with_(LIC_ISSUE, "--valid-from", "2019-01-01"), "--valid-until", PAST)),
    ("licence issue algorithm", "algorithm", LIC_ISSUE + ["--algorithm", "sha1"]),
    ("licence issue qr", "qr", LIC_ISSUE + ["--qr", "{tmp}/licence.jpg"]),
    ("licence issue base", "base", LIC_ISSUE + ["--base", "not a url"]),
    ("licence renew licence", "licence", ["licence", "renew", "0x1", *LIC_RENEW[3:]]),
    ("licence renew document", "document", with_(LIC_RENEW, "--document", "0x1234")),
    ("licence renew valid until", "valid_until", with_(LIC_RENEW, "--valid-until", "someday")),
    ("licence suspend decision", "decision",
     ["licence", "suspend", RECORD, "--account", SIGNER, "--decision", "{tmp}/no-decision.pdf"]),
    ("licence reinstate licence", "licence", ["licence", "reinstate", "zz", "--account", SIGNER, "--decision", DIGEST]),
    ("licence revoke decision", "decision", ["licence", "revoke", RECORD, "--account", SIGNER, "--decision", ""]),
    ("licence show licence", "licence", ["licence", "show", "0x12"]),
    ("licence show unknown", "licence", ["licence", "show", RECORD]),
    ("licence verify missing file", "file", ["licence", "verify", "{tmp}/none.pdf"]),
    ("copyright register title empty", "title", with_(CR_REGISTER, "--title", "")),
    ("copyright register title oversize", "title", with_(CR_REGISTER, "--title", "题" * 43)),
    ("copyright register authors oversize", "authors", with_(CR_REGISTER, "--authors", "a" * 257)),
    ("copyright register file", "file", ["copyright", "register", "{tmp}/none.svg", *CR_REGISTER[3:]]),
    ("copyright register algorithm", "algorithm", CR_REGISTER + ["--algorithm", "sm2"]),
    ("copyright offer work", "work", ["copyright", "offer", "0x12", "--account", SIGNER, "--to", SUPPLIER]),
    ("copyright offer to", "to", ["copyright", "offer", RECORD, "--account", SIGNER, "--to", "0x12"]),
    ("copyright accept work", "work", ["copyright", "accept", "work", "--account", SIGNER]),
    ("copyright accept unknown work", "work", ["copyright", "accept", RECORD, "--account", SIGNER]),
    ("copyright license licensee", "licensee", with_(CR_LICENSE, "--licensee", "0x12")),
    ("copyright license start", "start", with_(CR_LICENSE, "--start", "2026-02-30")),
    ("copyright license end before start", "end", with_(CR_LICENSE, "--end", "2025-01-01")),
    ("copyright license terms", "terms", with_(CR_LICENSE, "--terms", "{tmp}/no-terms.pdf")),
    ("copyright license work", "work", ["copyright", "license", "0xZZ", *CR_LICENSE[3:]]),
    ("copyright accept-licence grant", "grant", ["copyright", "accept-licence", "one", "--account", SIGNER]),
    ("copyright withdraw-licence grant", "grant", ["copyright", "withdraw-licence", "0", "--account", SIGNER]),
    ("copyright annotate kind", "kind",
     ["copyright", "annotate", RECORD, "--account", SIGNER, "--kind", "rumour", "--document", DIGEST]),
    ("copyright show work", "work", ["copyright", "show", "0xZZ"]),
    ("copyright show unknown", "work", ["copyright", "show", RECORD]),
    ("copyright verify missing file", "file", ["copyright", "verify", "{tmp}/none.svg"]),
]


@pytest.mark.parametrize("field, args", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_malformed_value_is_refused_in_one_line_naming_the_field(node, field, args):
    assert_refused(*node, field, args)


@pytest.mark.parametrize("field, content", [c[1:] for c in CSV_CASES], ids=[c[0] for c in CSV_CASES])
def test_malformed_csv_is_refused_before_any_vote(node, field, content):
    started, tmp = node
    path = tmp / "members.csv"
    if content is None:
        path.write_bytes(f"{CSV_HEADER}\n{devkeys.addresses()[8]},企业乙,{CODE},producer,h,{LATER}\n".encode("gbk"))
    else:
        path.write_text(content, encoding="utf-8")
    assert_refused(started, tmp, field, ["enterprise", "import", str(path), "--account", "dev0"])
