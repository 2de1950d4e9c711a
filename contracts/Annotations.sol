// SPDX-License-Identifier: Apache-2.0
pragma solidity 0.8.28;

import {IAnnotations} from "../interfaces/IAnnotations.sol";
import {IEnterpriseRegistry} from "../interfaces/IEnterpriseRegistry.sol";
import {Roles} from "./libraries/Roles.sol";
import {Standing} from "./libraries/Standing.sol";

/// @title Annotations
/// @notice See {IAnnotations}. Inherited by the contracts whose records can be disputed.
/// @dev Annotations are an append-only array per subject (two slots each), bounded by
/// {MAX_ANNOTATIONS} so {annotations} stays readable; they are appended only in {annotate}. The
/// inheriting contract names its registry and says which subjects exist.
abstract contract Annotations is IAnnotations {
    /// @inheritdoc IAnnotations
    uint256 public constant MAX_ANNOTATIONS = 64;

    uint8 private constant _LAST_KIND = uint8(AnnotationKind.Resolution);

    mapping(bytes32 subject => Annotation[] annotations) private _annotations;

    /// @inheritdoc IAnnotations
    function annotate(bytes32 subject, uint8 kind, bytes32 documentDigest) external {
        address author = Standing.actingFor(_annotationRegistry(), msg.sender, Roles.REGULATOR | Roles.NOTARY);
        if (author == address(0)) revert AnnotationNotAuthorized(msg.sender);
        _requireAnnotatable(subject);
        if (kind > _LAST_KIND) revert AnnotationInvalidKind(kind);
        if (documentDigest == bytes32(0)) revert AnnotationInvalidDigest(documentDigest);
        Annotation[] storage list = _annotations[subject];
        uint256 index = list.length;
        if (index == MAX_ANNOTATIONS) revert AnnotationTooMany(subject, index);
        list.push(Annotation(author, uint40(block.timestamp), AnnotationKind(kind), documentDigest));
        emit Annotated(subject, author, index, AnnotationKind(kind), documentDigest);
    }

    /// @inheritdoc IAnnotations
    function annotations(bytes32 subject) external view returns (Annotation[] memory) {
        return _annotations[subject];
    }

    /// @dev The registry that says who is an active regulator or notary.
    function _annotationRegistry() internal view virtual returns (IEnterpriseRegistry);

    /// @dev Reverts with the inheriting contract's own error unless `subject` is one of its records.
    function _requireAnnotatable(bytes32 subject) internal view virtual;
}
