// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

/// @title IAnnotations
/// @notice Dispute and court annotations (争议、裁判批注) appended to a record of the service hall: an
/// evidence record or a registered work. A regulator or a notary appends them by the authority of its
/// role; nobody else can, and no annotation is ever changed or removed. An annotation names the
/// digest of the document it rests on (the complaint, the ruling, the settlement).
interface IAnnotations {
    /// @notice What an annotation says about its subject.
    enum AnnotationKind {
        Dispute, // a dispute over the record was lodged
        CourtRuling, // a court ruled on the record
        Resolution // the dispute was settled or withdrawn
    }

    /// @notice One annotation; two storage slots.
    struct Annotation {
        address author; // the regulator or notary enterprise
        uint40 annotatedAt;
        AnnotationKind kind;
        bytes32 documentDigest;
    }

    /// @notice `author` appended annotation number `index` (from 0) of `kind` to `subject`.
    event Annotated(
        bytes32 indexed subject, address indexed author, uint256 index, AnnotationKind kind, bytes32 documentDigest
    );

    /// @notice The caller does not act for an active regulator or notary.
    error AnnotationNotAuthorized(address caller);
    /// @notice `kind` is not an {AnnotationKind}.
    error AnnotationInvalidKind(uint8 kind);
    /// @notice An annotation needs the digest of the document it rests on.
    error AnnotationInvalidDigest(bytes32 documentDigest);
    /// @notice A subject holds at most {MAX_ANNOTATIONS} annotations.
    error AnnotationTooMany(bytes32 subject, uint256 count);

    /// @notice Appends an annotation to `subject` (an evidence id, or a work's token id as bytes32).
    /// Requirements:
    /// - the caller acts for an active enterprise holding the regulator or notary role;
    /// - `subject` exists in this contract; `kind` is an {AnnotationKind}; `documentDigest` is not zero;
    /// - the subject has fewer than {MAX_ANNOTATIONS} annotations.
    /// Emits an {Annotated} event.
    function annotate(bytes32 subject, uint8 kind, bytes32 documentDigest) external;

    /// @notice Every annotation of `subject`, oldest first.
    function annotations(bytes32 subject) external view returns (Annotation[] memory);

    /// @notice The most annotations one subject can hold (64), so reading them stays bounded.
    // solhint-disable-next-line func-name-mixedcase
    function MAX_ANNOTATIONS() external view returns (uint256);
}
