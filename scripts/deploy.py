"""brownie run scripts/deploy.py [--network development]

Deploys the shanglian suite through the SDK on brownie's active network (or reuses a live recorded
deployment). On development networks it signs with dev0 and makes dev0..dev2 the 2-of-3 admins;
elsewhere set SHANGLIAN_ACCOUNT, SHANGLIAN_ADMINS (comma-separated) and SHANGLIAN_THRESHOLD.
"""

import os

from brownie import network, rpc, web3

from shanglian import accounts, deploy, devkeys
from shanglian.network import NetworkProfile, connect
from shanglian.transactions import Transactor


def brownie_chain():
    """The SDK's view of brownie's active network."""
    profile = NetworkProfile(network.show_active(), rpc=web3.provider.endpoint_uri, local=rpc.is_active())
    return connect(profile)


def main():
    chain = brownie_chain()
    signer = accounts.load(os.environ.get("SHANGLIAN_ACCOUNT", "dev0"), chain.profile)
    if chain.profile.local:
        admins, threshold = list(devkeys.addresses()[:3]), 2
    else:
        admins = [a.strip() for a in os.environ["SHANGLIAN_ADMINS"].split(",")]
        threshold = int(os.environ["SHANGLIAN_THRESHOLD"])
    suite = deploy.deploy_suite(chain, Transactor(chain, signer), deploy.DeployOptions(admins, threshold))
    for name, address in suite.addresses.items():
        print(f"{name}: {address}")
    return suite
