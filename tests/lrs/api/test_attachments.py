"""Attachments as multipart/mixed, and signed statements (Data §2.4.11, §2.6; Communication §1.5.2)."""

from __future__ import annotations

import base64
import datetime
import hashlib
import uuid
from typing import Any

import jwt
import orjson
import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.fixtures.http import XAPIClient
from tests.fixtures.statements import make_statement

SIGNATURE = "http://adlnet.gov/expapi/attachments/signature"


def multipart(statements: Any, parts: list[tuple[str, bytes]], boundary: str = "xapi-boundary") -> tuple[bytes, str]:
    chunks = [f"--{boundary}\r\nContent-Type: application/json\r\n\r\n".encode(), orjson.dumps(statements), b"\r\n"]
    for content_type, content in parts:
        chunks += [f"--{boundary}\r\nContent-Type: {content_type}\r\nContent-Transfer-Encoding: binary\r\n"
                   f"X-Experience-API-Hash: {hashlib.sha256(content).hexdigest()}\r\n\r\n".encode(), content, b"\r\n"]
    chunks.append(f"--{boundary}--\r\n".encode())
    return b"".join(chunks), f"multipart/mixed; boundary={boundary}"


def attachment_for(content: bytes, content_type: str = "text/plain", usage: str = "http://example.com/usage/doc"
                   ) -> dict[str, Any]:
    return {"usageType": usage, "display": {"en-US": "a document"}, "contentType": content_type,
            "length": len(content), "sha2": hashlib.sha256(content).hexdigest()}


async def post_multipart(xapi: XAPIClient, statements: Any, parts: list[tuple[str, bytes]]):  # type: ignore[no-untyped-def]
    body, content_type = multipart(statements, parts)
    return await xapi.request("POST", "/xapi/statements", data=body, headers={"Content-Type": content_type})


async def test_attachment_round_trips_byte_exact(xapi: XAPIClient) -> None:
    content = bytes(range(256)) * 4
    statement = make_statement(attachments=[attachment_for(content, "application/octet-stream")])
    resp = await post_multipart(xapi, statement, [("application/octet-stream", content)])
    assert resp.status == 200, await resp.text()
    got = await xapi.get_statements(statementId=statement["id"], attachments="true")
    raw = await got.read()
    assert content in raw
    assert hashlib.sha256(content).hexdigest().encode() in raw


async def test_attachment_without_part_or_file_url_is_rejected(xapi: XAPIClient) -> None:
    statement = make_statement(attachments=[attachment_for(b"missing")])
    resp = await xapi.post_statements(statement)
    assert resp.status == 400
    assert (await xapi.get_statements(statementId=statement["id"])).status == 404


async def test_file_url_only_attachment_is_accepted(xapi: XAPIClient) -> None:
    attachment = attachment_for(b"remote") | {"fileUrl": "http://example.com/files/remote.txt"}
    assert (await xapi.post_statements(make_statement(attachments=[attachment]))).status == 200


async def test_part_with_wrong_hash_is_rejected(xapi: XAPIClient) -> None:
    statement = make_statement(attachments=[attachment_for(b"declared")])
    body, content_type = multipart(statement, [("text/plain", b"declared")])
    body = body.replace(b"declared\r\n--", b"tampered\r\n--")
    resp = await xapi.request("POST", "/xapi/statements", data=body, headers={"Content-Type": content_type})
    assert resp.status == 400


async def test_undeclared_part_is_rejected(xapi: XAPIClient) -> None:
    resp = await post_multipart(xapi, make_statement(), [("text/plain", b"stray")])
    assert resp.status == 400


@pytest.fixture(scope="module")
def signing_key() -> tuple[rsa.RSAPrivateKey, str]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "learnhub test signer")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now)
            .not_valid_after(now + datetime.timedelta(days=1)).sign(key, hashes.SHA256()))
    return key, base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()


def signed(statement: dict[str, Any], key: rsa.RSAPrivateKey, x5c: str, algorithm: str = "RS256",
           payload: dict[str, Any] | None = None) -> tuple[dict[str, Any], bytes]:
    token = jwt.encode(payload or statement, key, algorithm=algorithm, headers={"x5c": [x5c]}).encode()
    statement = dict(statement, attachments=[attachment_for(token, "application/octet-stream", SIGNATURE)])
    return statement, token


@pytest.mark.parametrize("algorithm", ["RS256", "RS384", "RS512"])
async def test_signed_statement_with_valid_signature_is_stored(xapi: XAPIClient, signing_key, algorithm: str) -> None:  # type: ignore[no-untyped-def]
    statement, token = signed(make_statement(), *signing_key, algorithm=algorithm)
    resp = await post_multipart(xapi, statement, [("application/octet-stream", token)])
    assert resp.status == 200, await resp.text()


async def test_signed_statement_whose_payload_differs_is_rejected(xapi: XAPIClient, signing_key) -> None:  # type: ignore[no-untyped-def]
    original = make_statement()
    statement, token = signed(original, *signing_key, payload=dict(original, verb={"id": "http://example.com/v"}))
    resp = await post_multipart(xapi, statement, [("application/octet-stream", token)])
    assert resp.status == 400
    assert (await xapi.get_statements(statementId=original["id"])).status == 404


async def test_signed_statement_with_tampered_signature_is_rejected(xapi: XAPIClient, signing_key) -> None:  # type: ignore[no-untyped-def]
    statement, token = signed(make_statement(), *signing_key)
    head, payload, signature = token.split(b".")
    forged = b".".join([head, payload, signature[::-1]])
    statement["attachments"] = [attachment_for(forged, "application/octet-stream", SIGNATURE)]
    resp = await post_multipart(xapi, statement, [("application/octet-stream", forged)])
    assert resp.status == 400


async def test_signature_with_hmac_algorithm_is_rejected(xapi: XAPIClient) -> None:
    statement = make_statement()
    token = jwt.encode(statement, "a-shared-secret-that-is-long-enough-for-hs256", algorithm="HS256").encode()
    statement = dict(statement, attachments=[attachment_for(token, "application/octet-stream", SIGNATURE)])
    resp = await post_multipart(xapi, statement, [("application/octet-stream", token)])
    assert resp.status == 400
    assert "algorithm" in (await resp.json())["error"]["message"]


async def test_multipart_without_boundary_is_rejected(xapi: XAPIClient) -> None:
    resp = await xapi.request("POST", "/xapi/statements", data=b"--x\r\n\r\n{}\r\n--x--",
                              headers={"Content-Type": "multipart/mixed"})
    assert resp.status == 400


async def test_attachment_content_is_per_tenant(xapi: XAPIClient) -> None:
    content = uuid.uuid4().bytes
    statement = make_statement(attachments=[attachment_for(content, "application/octet-stream")])
    assert (await post_multipart(xapi, statement, [("application/octet-stream", content)])).status == 200
