// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721} from "@openzeppelin/contracts/token/ERC721/IERC721.sol";
import {IERC721Receiver} from "@openzeppelin/contracts/token/ERC721/IERC721Receiver.sol";
import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IERC165} from "@openzeppelin/contracts/utils/introspection/IERC165.sol";
import {ICopyrights} from "../interfaces/ICopyrights.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {Annotations} from "./Annotations.sol";
import {Digests} from "./libraries/Digests.sol";
import {Roles} from "./libraries/Roles.sol";
import {Standing} from "./libraries/Standing.sol";

/// @title Copyrights
/// @notice See {ICopyrights}.
/// @dev Storage is laid out for registration, the hot path, which writes one word of its own: the work
/// (registrant, priority date, algorithm) keyed by the token id, which is also the priority record and
/// the token's existence. The holder is stored only once the work has moved (until then it is the
/// registrant), so registering costs no second word; the holder's ERC-721 balance is the other write.
/// Offers (the ERC-721 approval), commitments and grants live apart and cost nothing until used. Title
/// and authors live in the {WorkRegistered} event, which nothing on chain reads back.
/// Works are created only in {register}; holders change only in {_transfer}; offers only in {approve} and
/// {_transfer}; grants only in {offerGrant}, {withdrawGrant} and {acceptGrant}.
contract Copyrights is ICopyrights, Annotations {
    uint256 private constant _MAX_TITLE_LENGTH = 128;
    uint256 private constant _MAX_AUTHORS_LENGTH = 256;
    // Work word, low bits first: registrant 160, registeredAt 40, algorithm 8.
    uint256 private constant _REGISTERED_AT_SHIFT = 160;
    uint256 private constant _ALGORITHM_SHIFT = 200;

    IEnterpriseRegistry private immutable _registry;

    mapping(uint256 tokenId => uint256 work) private _works;
    mapping(uint256 tokenId => address holder) private _holders; // zero: the registrant holds it
    mapping(uint256 tokenId => address offeree) private _offers;
    mapping(address holder => uint256 works) private _balances;
    mapping(address registrant => mapping(bytes32 commitment => uint256 blockNumber)) private _commitments;
    uint256 private _grantCount;
    mapping(uint256 grantId => Grant) private _grants;

    constructor(IEnterpriseRegistry registry_) {
        _registry = registry_;
    }

    // ------------------------------------------------------------------ registration

    /// @inheritdoc ICopyrights
    function commit(bytes32 commitment) external {
        address registrant = _requireEnterprise();
        if (commitment == bytes32(0) || _commitments[registrant][commitment] != 0) {
            revert CopyrightInvalidCommitment(commitment);
        }
        _commitments[registrant][commitment] = block.number;
        emit RegistrationCommitted(registrant, commitment);
    }

    /// @inheritdoc ICopyrights
    function register(
        bytes32 contentDigest,
        uint8 algorithm,
        bytes32 salt,
        string calldata title,
        string calldata authors
    ) external returns (uint256 tokenId) {
        address registrant = _requireEnterprise();
        if (contentDigest == bytes32(0)) revert CopyrightInvalidDigest(contentDigest);
        if (algorithm > Digests.LAST) revert CopyrightInvalidAlgorithm(algorithm);
        uint256 titleLength = bytes(title).length;
        if (titleLength == 0 || titleLength > _MAX_TITLE_LENGTH) revert CopyrightInvalidTitle(titleLength);
        uint256 authorsLength = bytes(authors).length;
        if (authorsLength == 0 || authorsLength > _MAX_AUTHORS_LENGTH) revert CopyrightInvalidAuthors(authorsLength);
        tokenId = uint256(contentDigest);
        uint256 first = _works[tokenId];
        if (first != 0) {
            revert CopyrightAlreadyRegistered(
                contentDigest, address(uint160(first)), uint40(first >> _REGISTERED_AT_SHIFT)
            );
        }
        bytes32 commitment = _commitmentFor(contentDigest, registrant, salt);
        uint256 committedAt = _commitments[registrant][commitment];
        if (committedAt == 0) revert CopyrightNotCommitted(contentDigest, registrant);
        if (committedAt >= block.number) revert CopyrightCommitmentTooRecent(commitment, committedAt);

        delete _commitments[registrant][commitment];
        _works[tokenId] = uint256(uint160(registrant)) | block.timestamp << _REGISTERED_AT_SHIFT
            | uint256(algorithm) << _ALGORITHM_SHIFT;
        // A balance counts works created, far below 2**256.
        unchecked {
            ++_balances[registrant];
        }
        emit Transfer(address(0), registrant, tokenId);
        emit WorkRegistered(tokenId, registrant, algorithm, title, authors);
    }

    // ------------------------------------------------------------------ ERC-721: offer and accept

    /// @inheritdoc IERC721
    /// @dev The offer: the caller acts for the holder; `to` is the primary account of another active
    /// enterprise, or zero to withdraw the offer.
    function approve(address to, uint256 tokenId) external {
        address holder = _requireHolder(tokenId);
        if (to != address(0) && (to == holder || !Standing.isActiveEnterprise(_registry, to, Roles.ALL))) {
            revert CopyrightInvalidRecipient(to);
        }
        _offers[tokenId] = to;
        emit Approval(holder, to, tokenId);
    }

    /// @inheritdoc IERC721
    /// @dev The acceptance: the caller acts for the offeree `to`; `from` is the holder, still active.
    function transferFrom(address from, address to, uint256 tokenId) external {
        _accept(from, to, tokenId);
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId) external {
        _accept(from, to, tokenId);
        _checkOnERC721Received(from, to, tokenId, "");
    }

    /// @inheritdoc IERC721
    function safeTransferFrom(address from, address to, uint256 tokenId, bytes calldata data) external {
        _accept(from, to, tokenId);
        _checkOnERC721Received(from, to, tokenId, data);
    }

    /// @inheritdoc IERC721
    /// @dev Always refused: an operator could move works without the recipient's acceptance.
    function setApprovalForAll(address, bool) external view {
        revert CopyrightOperatorsUnsupported(msg.sender);
    }

    // ------------------------------------------------------------------ licences to use a work

    /// @inheritdoc ICopyrights
    function offerGrant(uint256 tokenId, address licensee, uint40 start, uint40 end, bytes32 termsDigest)
        external
        returns (uint256 grantId)
    {
        address holder = _requireHolder(tokenId);
        if (licensee == holder || !Standing.isActiveEnterprise(_registry, licensee, Roles.ALL)) {
            revert CopyrightInvalidLicensee(licensee);
        }
        if (end <= start || end <= block.timestamp) revert CopyrightInvalidTerm(start, end);
        if (termsDigest == bytes32(0)) revert CopyrightInvalidDigest(termsDigest);
        grantId = ++_grantCount;
        _grants[grantId] = Grant(tokenId, holder, start, end, GrantStatus.Offered, licensee, 0, termsDigest);
        emit GrantOffered(grantId, tokenId, licensee, holder, start, end, termsDigest);
    }

    /// @inheritdoc ICopyrights
    function withdrawGrant(uint256 grantId) external {
        Grant storage offered = _requireGrant(grantId);
        address grantor = offered.grantor;
        if (Standing.actingFor(_registry, msg.sender, Roles.ALL) != grantor) {
            revert CopyrightNotGrantor(grantId, msg.sender, grantor);
        }
        _requirePending(grantId, offered.status);
        offered.status = GrantStatus.Withdrawn;
        emit GrantWithdrawn(grantId);
    }

    /// @inheritdoc ICopyrights
    function acceptGrant(uint256 grantId) external {
        Grant storage offered = _requireGrant(grantId);
        address licensee = offered.licensee;
        if (Standing.actingFor(_registry, msg.sender, Roles.ALL) != licensee) {
            revert CopyrightNotLicensee(grantId, msg.sender, licensee);
        }
        _requirePending(grantId, offered.status);
        uint40 end = offered.end;
        if (end <= block.timestamp) revert CopyrightInvalidTerm(offered.start, end);
        address grantor = offered.grantor;
        if (_holderOf(offered.tokenId) != grantor || !Standing.isActiveEnterprise(_registry, grantor, Roles.ALL)) {
            revert CopyrightGrantVoid(grantId, grantor);
        }
        offered.status = GrantStatus.Accepted;
        offered.acceptedAt = uint40(block.timestamp);
        emit GrantAccepted(grantId, licensee);
    }

    // ------------------------------------------------------------------ views

    /// @inheritdoc IERC165
    function supportsInterface(bytes4 interfaceId) external pure returns (bool) {
        return interfaceId == type(IERC165).interfaceId || interfaceId == type(IERC721).interfaceId
            || interfaceId == type(IERC721Metadata).interfaceId;
    }

    /// @inheritdoc IERC721Metadata
    function name() external pure returns (string memory) {
        return "Shanglian Copyright";
    }

    /// @inheritdoc IERC721Metadata
    function symbol() external pure returns (string memory) {
        return "SLCR";
    }

    /// @inheritdoc IERC721Metadata
    /// @dev Empty: a work's title and authors are in its {WorkRegistered} event, its content off chain.
    function tokenURI(uint256 tokenId) external view returns (string memory) {
        _requireWork(tokenId);
        return "";
    }

    /// @inheritdoc IERC721
    function balanceOf(address owner) external view returns (uint256) {
        if (owner == address(0)) revert CopyrightInvalidOwner(owner);
        return _balances[owner];
    }

    /// @inheritdoc IERC721
    function ownerOf(uint256 tokenId) external view returns (address) {
        _requireWork(tokenId);
        return _holderOf(tokenId);
    }

    /// @inheritdoc IERC721
    function getApproved(uint256 tokenId) external view returns (address) {
        _requireWork(tokenId);
        return _offers[tokenId];
    }

    /// @inheritdoc IERC721
    function isApprovedForAll(address, address) external pure returns (bool) {
        return false;
    }

    /// @inheritdoc ICopyrights
    function registry() external view returns (IEnterpriseRegistry) {
        return _registry;
    }

    /// @inheritdoc ICopyrights
    function work(uint256 tokenId) external view returns (Work memory) {
        uint256 word = _works[tokenId];
        if (address(uint160(word)) == address(0)) return Work(address(0), 0, 0, address(0), address(0));
        return Work(
            address(uint160(word)),
            uint40(word >> _REGISTERED_AT_SHIFT),
            uint8(word >> _ALGORITHM_SHIFT),
            _holderOf(tokenId),
            _offers[tokenId]
        );
    }

    /// @inheritdoc ICopyrights
    function grant(uint256 grantId) external view returns (Grant memory) {
        return _grants[grantId];
    }

    /// @inheritdoc ICopyrights
    function grantCount() external view returns (uint256) {
        return _grantCount;
    }

    /// @inheritdoc ICopyrights
    function commitmentBlock(address registrant, bytes32 commitment) external view returns (uint256) {
        return _commitments[registrant][commitment];
    }

    /// @inheritdoc ICopyrights
    function commitmentFor(bytes32 contentDigest, address registrant, bytes32 salt) external pure returns (bytes32) {
        return _commitmentFor(contentDigest, registrant, salt);
    }

    // ------------------------------------------------------------------ internal

    /// @dev The acceptance of an offer, for the three ERC-721 transfer functions.
    function _accept(address from, address to, uint256 tokenId) private {
        _requireWork(tokenId);
        address offeree = _offers[tokenId];
        if (offeree == address(0) || Standing.actingFor(_registry, msg.sender, Roles.ALL) != offeree) {
            revert CopyrightNotOfferee(tokenId, msg.sender, offeree);
        }
        address holder = _holderOf(tokenId);
        if (from != holder) revert CopyrightIncorrectOwner(from, tokenId, holder);
        if (to != offeree) revert CopyrightInvalidRecipient(to);
        if (!Standing.isActiveEnterprise(_registry, holder, Roles.ALL)) revert CopyrightHolderInactive(tokenId, holder);
        _transfer(holder, offeree, tokenId);
    }

    /// @dev The one place a work changes holder; its pending offer goes with the move.
    function _transfer(address from, address to, uint256 tokenId) private {
        _holders[tokenId] = to;
        delete _offers[tokenId];
        // `from` holds this work, so it counts at least one; a count is bounded by the works registered.
        unchecked {
            --_balances[from];
            ++_balances[to];
        }
        emit Transfer(from, to, tokenId);
    }

    function _requireEnterprise() private view returns (address enterprise) {
        enterprise = Standing.actingFor(_registry, msg.sender, Roles.ALL);
        if (enterprise == address(0)) revert CopyrightNotEnterprise(msg.sender);
    }

    /// @dev Reverts unless work `tokenId` exists and the caller acts for its holder; returns the holder.
    function _requireHolder(uint256 tokenId) private view returns (address holder) {
        _requireWork(tokenId);
        holder = _holderOf(tokenId);
        if (Standing.actingFor(_registry, msg.sender, Roles.ALL) != holder) {
            revert CopyrightNotHolder(tokenId, msg.sender, holder);
        }
    }

    function _requireWork(uint256 tokenId) private view {
        if (address(uint160(_works[tokenId])) == address(0)) revert CopyrightNonexistentToken(tokenId);
    }

    function _holderOf(uint256 tokenId) private view returns (address holder) {
        holder = _holders[tokenId];
        if (holder == address(0)) holder = address(uint160(_works[tokenId]));
    }

    function _requireGrant(uint256 grantId) private view returns (Grant storage offered) {
        offered = _grants[grantId];
        if (offered.status == GrantStatus.None) revert CopyrightUnknownGrant(grantId);
    }

    function _requirePending(uint256 grantId, GrantStatus status) private pure {
        if (status != GrantStatus.Offered) revert CopyrightGrantNotPending(grantId, status);
    }

    function _commitmentFor(bytes32 contentDigest, address registrant, bytes32 salt) private pure returns (bytes32) {
        return keccak256(abi.encode(contentDigest, registrant, salt));
    }

    /// @dev ERC-721 safe transfers: a contract recipient must answer {IERC721Receiver-onERC721Received}.
    function _checkOnERC721Received(address from, address to, uint256 tokenId, bytes memory data) private {
        if (to.code.length == 0) return;
        try IERC721Receiver(to).onERC721Received(msg.sender, from, tokenId, data) returns (bytes4 answer) {
            if (answer != IERC721Receiver.onERC721Received.selector) revert CopyrightInvalidReceiver(to);
        } catch (bytes memory reason) {
            if (reason.length == 0) revert CopyrightInvalidReceiver(to);
            assembly ("memory-safe") {
                revert(add(reason, 0x20), mload(reason))
            }
        }
    }

    function _annotationRegistry() internal view override returns (IEnterpriseRegistry) {
        return _registry;
    }

    function _requireAnnotatable(bytes32 subject) internal view override {
        _requireWork(uint256(subject));
    }
}
