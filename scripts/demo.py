"""brownie run scripts/demo.py [--network development]

The seed story (the same as `make demo`) on brownie's active development network.
"""

from scripts.deploy import brownie_chain

from shanglian import demo


def main():
    return demo.run(brownie_chain().profile)
