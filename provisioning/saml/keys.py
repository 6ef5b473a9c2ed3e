"""The SP key pair of a tenant: an RSA-2048 key and a self-signed certificate made with `cryptography`."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

# SAML metadata certificates are containers for a key: trust comes from the metadata exchange, not a
# CA, so a long-lived self-signed certificate is normal (SAML metadata §2.4.1.1, KeyDescriptor).
CERTIFICATE_YEARS = 10


@dataclass(frozen=True)
class KeyPair:
    """PEM texts, as stored in people_saml_provider."""

    certificate_pem: str
    private_key_pem: str


def generate_key_pair(common_name: str, *, years: int = CERTIFICATE_YEARS) -> KeyPair:
    """A new RSA-2048 key and a self-signed SHA-256 certificate for `common_name`."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name[:64] or "learnhub")])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365 * years))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    return KeyPair(
        certificate_pem=certificate.public_bytes(serialization.Encoding.PEM).decode(),
        private_key_pem=key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                          serialization.NoEncryption()).decode(),
    )


def certificate_body(certificate_pem: str) -> str:
    """The base64 body of a PEM certificate, as metadata's <ds:X509Certificate> carries it."""
    lines = [line.strip() for line in certificate_pem.strip().splitlines()]
    return "".join(line for line in lines if line and not line.startswith("-----"))
