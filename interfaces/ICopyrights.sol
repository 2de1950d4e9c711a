// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IERC721Metadata} from "@openzeppelin/contracts/token/ERC721/extensions/IERC721Metadata.sol";
import {IAnnotations} from "./IAnnotations.sol";
import {IEnterpriseRegistry} from "./IEnterpriseRegistry.sol";

/// @title ICopyrights
/// @notice Copyright registration (版权登记) with works as ERC-721 tokens. An enterprise registers a work
/// by its content digest (SHA-256, or SM3 per GB/T 32905), title and authors, and holds its rights;
/// the token id is the content digest as a number. The earliest registration of a digest is the
/// evidence of priority: a second registration of the same digest is refused, naming the first.
///
/// Registration takes two transactions, so that nobody who reads pending transactions can register a
/// work first: the enterprise {commit}s to `keccak256(abi.encode(contentDigest, enterprise, salt))`,
/// which reveals nothing, and {register}s in a later block, revealing digest and salt. Commitments are
/// kept per committing enterprise, so copying someone's commitment blocks nothing.
///
/// Rights move in two steps between active enterprises, through the ERC-721 functions so wallets and
/// explorers follow them: the holder offers the work with {approve} (one pending offer, replaced by a
/// later one, withdrawn by approving the zero address), and the offeree accepts with {transferFrom} or
/// {safeTransferFrom} to itself. A holder cannot push a work onto anyone, and {setApprovalForAll} is
/// refused: nobody but the offeree can complete a transfer. A pending offer is void while the holder is
/// not an active enterprise.
///
/// Licences to use a work (使用许可) are granted for a term: the holder offers a grant to an active
/// enterprise, which accepts it. A pending grant is void while its grantor is not an active enterprise or
/// no longer holds the work; an accepted grant stays a fact, whoever holds the work later. Regulators and
/// notaries annotate disputes ({IAnnotations}, with the token id as the subject).
///
/// Every party is an {IEnterpriseRegistry} primary account; an operator acting for it may call on its
/// behalf.
interface ICopyrights is IERC721Metadata, IAnnotations {
    /// @notice Where a grant stands.
    enum GrantStatus {
        None,
        Offered,
        Accepted,
        Withdrawn
    }

    /// @notice A registered work and who holds its rights.
    struct Work {
        address registrant; // the enterprise that registered it first
        uint40 registeredAt; // the priority date
        uint8 algorithm; // of the content digest: 0 SHA-256, 1 SM3
        address holder; // the rights holder now
        address offeree; // the enterprise the holder offered the work to, or zero
    }

    /// @notice A licence to use a work, offered by its holder and accepted by the licensee.
    struct Grant {
        uint256 tokenId;
        address grantor; // the holder that offered it
        uint40 start; // the term: from start (inclusive) ...
        uint40 end; // ... to end (exclusive), unix seconds
        GrantStatus status;
        address licensee;
        uint40 acceptedAt;
        bytes32 termsDigest; // digest of the licence contract
    }

    /// @notice `registrant` committed to registering a work it does not name yet.
    event RegistrationCommitted(address indexed registrant, bytes32 indexed commitment);
    /// @notice `registrant` registered work `tokenId` (its content digest). Its {Transfer} from zero
    /// accompanies it.
    event WorkRegistered(
        uint256 indexed tokenId, address indexed registrant, uint8 algorithm, string title, string authors
    );
    /// @notice The holder of work `tokenId` offered grant `grantId` to `licensee`.
    event GrantOffered(
        uint256 indexed grantId,
        uint256 indexed tokenId,
        address indexed licensee,
        address grantor,
        uint40 start,
        uint40 end,
        bytes32 termsDigest
    );
    /// @notice The grantor withdrew grant `grantId` before it was accepted.
    event GrantWithdrawn(uint256 indexed grantId);
    /// @notice `licensee` accepted grant `grantId`.
    event GrantAccepted(uint256 indexed grantId, address indexed licensee);

    /// @notice The caller does not act for an active enterprise.
    error CopyrightNotEnterprise(address caller);
    /// @notice The commitment is zero, or this enterprise made it before.
    error CopyrightInvalidCommitment(bytes32 commitment);
    /// @notice `registrant` made no commitment to this digest with this salt.
    error CopyrightNotCommitted(bytes32 contentDigest, address registrant);
    /// @notice The commitment was made in block `committedAt`; register in a later block.
    error CopyrightCommitmentTooRecent(bytes32 commitment, uint256 committedAt);
    /// @notice A content or terms digest is zero.
    error CopyrightInvalidDigest(bytes32 digest);
    /// @notice The algorithm is neither 0 (SHA-256) nor 1 (SM3).
    error CopyrightInvalidAlgorithm(uint8 algorithm);
    /// @notice A title is 1 to 128 bytes of UTF-8.
    error CopyrightInvalidTitle(uint256 length);
    /// @notice Authors are 1 to 256 bytes of UTF-8.
    error CopyrightInvalidAuthors(uint256 length);
    /// @notice `registrant` registered this digest first, at `registeredAt`.
    error CopyrightAlreadyRegistered(bytes32 contentDigest, address registrant, uint40 registeredAt);
    error CopyrightNonexistentToken(uint256 tokenId);
    /// @notice The caller does not act for the holder of work `tokenId`.
    error CopyrightNotHolder(uint256 tokenId, address caller, address holder);
    /// @notice `to` is not the primary account of an active enterprise other than the holder, or not the
    /// offeree.
    error CopyrightInvalidRecipient(address to);
    /// @notice The caller does not act for the enterprise work `tokenId` is offered to (`offeree`, maybe none).
    error CopyrightNotOfferee(uint256 tokenId, address caller, address offeree);
    /// @notice `from` does not hold work `tokenId`.
    error CopyrightIncorrectOwner(address from, uint256 tokenId, address holder);
    /// @notice The holder of work `tokenId` is not an active enterprise, so its offer is void.
    error CopyrightHolderInactive(uint256 tokenId, address holder);
    /// @notice Approvals for all are refused: only an offeree completes a transfer.
    error CopyrightOperatorsUnsupported(address caller);
    /// @notice The zero address holds nothing.
    error CopyrightInvalidOwner(address owner);
    /// @notice The recipient contract does not accept ERC-721 tokens.
    error CopyrightInvalidReceiver(address to);
    /// @notice The licensee is not the primary account of an active enterprise other than the holder.
    error CopyrightInvalidLicensee(address licensee);
    /// @notice A term ends after it starts, and in the future.
    error CopyrightInvalidTerm(uint40 start, uint40 end);
    error CopyrightUnknownGrant(uint256 grantId);
    /// @notice The caller does not act for grant `grantId`'s grantor.
    error CopyrightNotGrantor(uint256 grantId, address caller, address grantor);
    /// @notice The caller does not act for grant `grantId`'s licensee.
    error CopyrightNotLicensee(uint256 grantId, address caller, address licensee);
    /// @notice Grant `grantId` is `status`, not offered.
    error CopyrightGrantNotPending(uint256 grantId, GrantStatus status);
    /// @notice Grant `grantId`'s grantor is not an active enterprise or no longer holds the work.
    error CopyrightGrantVoid(uint256 grantId, address grantor);

    /// @notice Commits the caller's enterprise to registering a work, without naming it.
    /// Requirements: the caller acts for an active enterprise; `commitment` is not zero and new for it.
    /// Emits a {RegistrationCommitted} event.
    /// @param commitment {commitmentFor}(contentDigest, enterprise, salt), with a random secret salt.
    function commit(bytes32 commitment) external;

    /// @notice Registers a work for the caller's enterprise, which becomes its holder.
    /// Requirements:
    /// - the caller acts for an active enterprise, which committed to (`contentDigest`, `salt`) in an
    ///   earlier block (the commitment is used up);
    /// - `contentDigest` is not zero and not registered; `algorithm` is 0 (SHA-256) or 1 (SM3);
    /// - `title` is 1..128 bytes, `authors` 1..256 bytes (UTF-8; several authors separated as the SDK does).
    /// Emits {Transfer} from zero and {WorkRegistered} events.
    /// @return tokenId `uint256(contentDigest)`.
    function register(
        bytes32 contentDigest,
        uint8 algorithm,
        bytes32 salt,
        string calldata title,
        string calldata authors
    ) external returns (uint256 tokenId);

    /// @notice Offers grant of a licence to use work `tokenId` to `licensee`, for a term.
    /// Requirements: the caller acts for the work's holder (so it is active); `licensee` is the primary
    /// account of another active enterprise; `end` is after `start` and in the future; `termsDigest` is not
    /// zero.
    /// Emits a {GrantOffered} event.
    function offerGrant(uint256 tokenId, address licensee, uint40 start, uint40 end, bytes32 termsDigest)
        external
        returns (uint256 grantId);

    /// @notice Withdraws grant `grantId` before it is accepted.
    /// Requirements: the caller acts for the grantor, which is active; the grant is Offered.
    /// Emits a {GrantWithdrawn} event.
    function withdrawGrant(uint256 grantId) external;

    /// @notice Accepts grant `grantId`.
    /// Requirements: the caller acts for the licensee, which is active; the grant is Offered and its term
    /// has not ended; the grantor is active and still holds the work.
    /// Emits a {GrantAccepted} event.
    function acceptGrant(uint256 grantId) external;

    /// @notice The registry that says who is an active enterprise.
    function registry() external view returns (IEnterpriseRegistry);

    /// @notice Work `tokenId`; all zero when it is not registered.
    function work(uint256 tokenId) external view returns (Work memory);

    /// @notice Grant `grantId`; all zero when there is none.
    function grant(uint256 grantId) external view returns (Grant memory);

    /// @notice How many grants were ever offered; grant ids run from 1 to this.
    function grantCount() external view returns (uint256);

    /// @notice The block in which `registrant` made `commitment`, or 0 (none, or used).
    function commitmentBlock(address registrant, bytes32 commitment) external view returns (uint256);

    /// @notice `keccak256(abi.encode(contentDigest, registrant, salt))`.
    function commitmentFor(bytes32 contentDigest, address registrant, bytes32 salt) external pure returns (bytes32);
}
