"""EKS error responses and pagination, as the EKS API returns them."""
from __future__ import annotations

import base64
from typing import Any

from eksworld.moto_hooks import EKSError

# Messages verbatim from AWS where known (see eks-api-notes.md); each concern keeps its own beside it.
MSG_CLUSTER_NOT_FOUND = "No cluster found for name: {name}."
MSG_NODEGROUP_NOT_FOUND = "No node group found for name: {name}."
MSG_UPDATE_NOT_FOUND = "No update found for ID: {update_id}"
MSG_ADDON_NOT_FOUND = "No addon: {addon} found in cluster: {cluster}"
# Not seen verbatim in AWS output; modelled on the messages above.
MSG_TOKEN_REUSED = "The client request token {token} was already used with different request parameters."
MSG_BAD_NEXT_TOKEN = "The nextToken provided is invalid."


class EksApiError(EKSError):
    """An EKS error response: code in `x-amzn-errortype`, JSON body with message and the named resources."""

    TYPE = "ServerException"
    STATUS = 500

    def __init__(self, message: str, **members: str | None) -> None:
        super().__init__(message=message, **{k: v for k, v in members.items() if v is not None})


class InvalidParameterException(EksApiError):
    TYPE = "InvalidParameterException"
    STATUS = 400


class InvalidRequestException(EksApiError):
    TYPE = "InvalidRequestException"
    STATUS = 400


class InvalidStateException(EksApiError):
    TYPE = "InvalidStateException"
    STATUS = 400


class ResourceInUseException(EksApiError):
    TYPE = "ResourceInUseException"
    STATUS = 409


class ResourceNotFoundException(EksApiError):
    TYPE = "ResourceNotFoundException"
    STATUS = 404


def paginate(items: list[Any], max_results: int | None, next_token: str | None) -> tuple[list[Any], str | None]:
    """One page and the token for the next (opaque base64 offset, as AWS tokens look opaque)."""
    start = 0
    if next_token:
        try:
            start = int(base64.urlsafe_b64decode(next_token.encode()).decode().removeprefix("offset:"))
        except ValueError:
            raise InvalidParameterException(MSG_BAD_NEXT_TOKEN) from None
    end = start + (max_results or 100)
    token = base64.urlsafe_b64encode(f"offset:{end}".encode()).decode() if end < len(items) else None
    return items[start:end], token


def with_token(result: dict[str, Any], token: str | None) -> dict[str, Any]:
    if token:
        result["nextToken"] = token
    return result

