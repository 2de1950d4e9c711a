"""The artifacts shipped in the package are exactly what the pinned compiler makes of the sources,
and no deployed bytecode uses an opcode newer than london."""

import pytest

from shanglian import artifacts, compiler

# Opcodes introduced after london; consortium chains on a london genesis reject them.
NEWER_THAN_LONDON = {0x5F: "PUSH0", 0x5E: "MCOPY", 0x5C: "TLOAD", 0x5D: "TSTORE", 0x49: "BLOBHASH", 0x4A: "BLOBBASEFEE"}


# The module-wide fixture is built once: keep the tests on one worker (make test: --dist loadgroup).
pytestmark = pytest.mark.xdist_group("artifacts")


@pytest.fixture(scope="module")
def fresh():
    return compiler.compile_suite()


@pytest.mark.parametrize("name", artifacts.CONTRACTS)
def test_committed_artifact_equals_a_fresh_compile(fresh, name):
    committed = (artifacts.ARTIFACT_DIR / f"{name}.json").read_text()
    assert committed == compiler.render(fresh[name]), f"run `make compile` and commit {name}.json"


def opcodes(code: bytes):
    """Opcodes of `code` without PUSH data and without the trailing CBOR metadata."""
    metadata = int.from_bytes(code[-2:], "big") + 2
    body = code[:-metadata] if metadata < len(code) else code
    i = 0
    while i < len(body):
        op = body[i]
        yield i, op
        i += 1 + (op - 0x5F if 0x60 <= op <= 0x7F else 0)


@pytest.mark.parametrize("name", artifacts.CONTRACTS)
@pytest.mark.parametrize("part", ["bytecode", "deployedBytecode"])
def test_no_opcode_newer_than_london(name, part):
    code = bytes.fromhex(artifacts.load(name)[part][2:])
    found = {NEWER_THAN_LONDON[op] for _, op in opcodes(code) if op in NEWER_THAN_LONDON}
    assert not found, f"{name} uses {sorted(found)}"


def test_the_opcode_scan_finds_push0():
    # A check that cannot fail proves nothing: PUSH0 followed by STOP and 2 bytes of empty metadata.
    assert [op for _, op in opcodes(bytes([0x5F, 0x00, 0x00, 0x00]))] == [0x5F, 0x00]


def test_pinned_settings_come_from_brownie_config():
    settings = compiler.compiler_settings(compiler.project_root())
    assert settings["evm_version"] == "london" and settings["optimizer"]["enabled"]
