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


class ServerTls:
    """A throwaway CA and the server certificate it signs for `host` (and localhost/127.0.0.1), in memory.

    `ca_pem` goes into kubeconfigs; `context` is the server-side SSL context. `rotate()` issues a new server
    certificate from the same CA, as new API server instances of an EKS cluster present after an update:
    clients that trust the CA keep working, new handshakes see the new certificate.
    `cryptography` (installed with ansible-core and moto) is imported here: only TLS needs it.
    """

    def __init__(self, host: str) -> None:
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography import x509

        self._host = host
        self._ca_key = ec.generate_private_key(ec.SECP256R1())
        self._ca_cert = self._certificate("eksworld-kube-ca", self._ca_key.public_key(),
                                          [(x509.BasicConstraints(ca=True, path_length=None), True)])
        self.context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        self.rotate()

    @property
    def ca_pem(self) -> str:
        from cryptography.hazmat.primitives import serialization

        return self._ca_cert.public_bytes(serialization.Encoding.PEM).decode()

    def rotate(self) -> None:
        """Serve a new server certificate (new key, new serial) signed by the same CA."""
        from cryptography import x509
        from cryptography.hazmat.primitives import serialization
        from cryptography.hazmat.primitives.asymmetric import ec
        from cryptography.x509.oid import ExtendedKeyUsageOID

        server_key = ec.generate_private_key(ec.SECP256R1())
        names: list[x509.GeneralName] = [x509.DNSName("localhost"),
                                         x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]
        try:
            names.append(x509.IPAddress(ipaddress.ip_address(self._host)))
        except ValueError:
            names.append(x509.DNSName(self._host))
        server_cert = self._certificate("kube-apiserver", server_key.public_key(), [
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
            # Replaces the context's certificate: handshakes from now on present the new one.
            self.context.load_cert_chain(chain, key)

    def _certificate(self, subject: str, public_key: Any, extensions: list[tuple[Any, bool]]) -> Any:
        from cryptography import x509
        from cryptography.hazmat.primitives import hashes
        from cryptography.x509.oid import NameOID

        now = datetime.datetime.now(datetime.timezone.utc)
        builder = (x509.CertificateBuilder()
                   .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
                   .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "eksworld-kube-ca")]))
                   .public_key(public_key).serial_number(x509.random_serial_number())
                   .not_valid_before(now - datetime.timedelta(days=1))
                   .not_valid_after(now + datetime.timedelta(days=365)))
        for extension, critical in extensions:
            builder = builder.add_extension(extension, critical=critical)
        return builder.sign(self._ca_key, hashes.SHA256())
