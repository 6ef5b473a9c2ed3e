"""Signed statements: a JWS over the statement, sent as a signature attachment (Data §2.6)."""

from __future__ import annotations

import base64
import binascii
from typing import Any

import jwt
import orjson
from cryptography import x509

from hub.errors import BadRequest
from lrs.model.equivalence import statements_equivalent

SIGNATURE_USAGE = "http://adlnet.gov/expapi/attachments/signature"
ALGORITHMS = ("RS256", "RS384", "RS512")


def verify_signature(statement: dict[str, Any], jws: bytes, *, field: str) -> None:
    """Reject a malformed JWS, a non-RS* algorithm, a bad signature or a payload unlike the statement."""
    try:
        token = jws.decode("ascii").strip()
        header = jwt.get_unverified_header(token)
    except (UnicodeDecodeError, jwt.DecodeError) as exc:
        raise BadRequest(f"the signature is not a JWS compact serialization: {exc}", field=field) from None
    algorithm = header.get("alg")
    if algorithm not in ALGORITHMS:
        raise BadRequest(f"signature algorithm {algorithm!r} is not allowed; use RS256, RS384 or RS512",
                         field=field)
    try:
        payload_segment = token.split(".")[1]
        payload = orjson.loads(base64.urlsafe_b64decode(payload_segment + "=" * (-len(payload_segment) % 4)))
    except (IndexError, ValueError, binascii.Error):
        raise BadRequest("the JWS payload is not a JSON statement", field=field) from None
    if "x5c" in header:
        try:
            der = base64.b64decode(header["x5c"][0])
            public_key = x509.load_der_x509_certificate(der).public_key()
            jwt.api_jws.PyJWS().decode_complete(token, key=public_key, algorithms=[algorithm])  # type: ignore[arg-type]
        except (jwt.InvalidSignatureError, jwt.DecodeError) as exc:
            raise BadRequest(f"the statement signature does not verify: {exc}", field=field) from None
        except (ValueError, TypeError, IndexError, binascii.Error) as exc:
            raise BadRequest(f"the x5c certificate chain is unusable: {exc}", field=field) from None
    if not isinstance(payload, dict) or not _same_statement(payload, statement):
        raise BadRequest("the JWS payload does not match the statement", field=field)


def _same_statement(signed: dict[str, Any], received: dict[str, Any]) -> bool:
    # The signed payload is the statement before the signature attachment was added.
    without_attachments = {k: v for k, v in received.items() if k != "attachments"}
    signed_without = {k: v for k, v in signed.items() if k != "attachments"}
    return statements_equivalent(signed_without, without_attachments)
