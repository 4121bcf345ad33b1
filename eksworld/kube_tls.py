"""TLS for the emulated API server, as EKS endpoints have: a throwaway CA and server certificate.

client-go (kubectl) sends bearer tokens only over TLS, so token authentication can be tested
with kubectl only against an https server.
"""
from __future__ import annotations

import datetime
import ipaddress
import ssl
import tempfile
from pathlib import Path
from typing import Any


def tls_context(host: str) -> tuple[str, ssl.SSLContext]:
    """A new CA and a server certificate for `host` (and localhost/127.0.0.1), in memory.

    Returns the CA certificate (PEM) for kubeconfigs and a server-side SSL context.
    `cryptography` (installed with ansible-core and moto) is imported here: only TLS needs it.
    """
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

    now = datetime.datetime.now(datetime.timezone.utc)
    validity = (now - datetime.timedelta(days=1), now + datetime.timedelta(days=365))

    def certificate(subject: str, public_key: Any, issuer: str, signing_key: Any,
                    extensions: list[tuple[Any, bool]]) -> x509.Certificate:
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer)]))
                   .public_key(public_key).serial_number(x509.random_serial_number())
                   .not_valid_before(validity[0]).not_valid_after(validity[1]))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(signing_key, hashes.SHA256())

    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_cert = certificate("eksworld-kube-ca", ca_key.public_key(), "eksworld-kube-ca", ca_key,
                          [(x509.BasicConstraints(ca=True, path_length=None), True)])
    server_key = ec.generate_private_key(ec.SECP256R1())
    names: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                     x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
    try:
        names.append(x509.IPAddress(ipaddress.ip_address(host)))
    except ValueError:
        names.append(x509.DNSName(host))
    server_cert = certificate("kube-apiserver", server_key.public_key(), "eksworld-kube-ca", ca_key, [
        (x509.BasicConstraints(ca=False, path_length=None), True),
        (x509.SubjectAlternativeName(list(dict.fromkeys(names))), False),
        (x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False),
    ])
    pem = serialization.Encoding.PEM
    with tempfile.TemporaryDirectory() as directory:  # load_cert_chain only reads files
        chain, key = Path(directory, "server.crt"), Path(directory, "server.key")
        chain.write_bytes(server_cert.public_bytes(pem))
        key.write_bytes(server_key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                                 serialization.NoEncryption()))
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(chain, key)
    return ca_cert.public_bytes(pem).decode(), context
