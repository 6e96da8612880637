"""Helpers for the alert tests: stored documents with tags, a real SMTP server (aiosmtpd) on
loopback that can answer with any code, and a certificate made on the spot for STARTTLS."""

from __future__ import annotations

import datetime as dt
import email
import socket
import ssl
import threading
from email import policy
from pathlib import Path

from store.documents import upsert_documents
from store.tags import set_tags

VERSION = "test-1"


def add_document(db, doc_id: str, *, title: str, source: str = "bis", lang: str = "en",
                 published: str = "2026-03-02", tags: list[tuple[str, float, str, str]] = (),
                 url: str | None = None) -> None:
    """Store one document and its tags: (category, score, evidence sentence, match)."""
    upsert_documents(db, [{
        "id": doc_id, "source": source, "external_id": doc_id.split(":")[-1], "lang": lang,
        "url": url or f"https://www.bis.gov/press-release/{doc_id.split(':')[-1]}",
        "title": title, "text": "", "published": published, "metadata": {}}])
    set_tags(db, doc_id, [{"category": c, "score": s,
                           "evidence": [{"sentence": sentence, "match": match}]}
                          for c, s, sentence, match in tags], VERSION)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Recorder:
    """An aiosmtpd handler that keeps every accepted message; `replies` are answered to
    DATA in turn (e.g. ["451 4.3.0 try later"]) before accepting."""

    def __init__(self, replies: list[str] | None = None):
        self.replies = list(replies or [])
        self.messages: list[email.message.EmailMessage] = []
        self.attempts = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.attempts += 1
            if self.replies:
                return self.replies.pop(0)
            self.messages.append(email.message_from_bytes(envelope.content,
                                                          policy=policy.default))
        return "250 OK"


def smtp_server(handler, port: int, tls_context: ssl.SSLContext | None = None):
    """A started aiosmtpd controller on 127.0.0.1:port (stop it with .stop())."""
    from aiosmtpd.controller import Controller
    kwargs = {}
    if tls_context is not None:
        kwargs = {"tls_context": tls_context, "require_starttls": True}
    controller = Controller(handler, hostname="127.0.0.1", port=port, ready_timeout=10,
                            **kwargs)
    controller.start()
    return controller


def make_certificate(directory: Path) -> tuple[Path, Path]:
    """A self-signed certificate for 127.0.0.1 (it is its own CA): (cert, key) files."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=2))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = directory / "cert.pem", directory / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    return cert_path, key_path


class Misbehaving(Recorder):
    """A Recorder that misbehaves after DATA: `drop` closes the connection without a reply
    (`keep` says whether the message counts as accepted first); `stall` seconds pass before
    the reply; `quit_reply` answers QUIT with something other than 221."""

    def __init__(self, *, drop: bool = False, keep: bool = False, stall: float = 0.0,
                 quit_reply: str | None = None, times: int = 1):
        super().__init__()
        self.drop, self.keep, self.stall, self.quit_reply = drop, keep, stall, quit_reply
        self.times = times  # misbehave this many times, then behave

    async def handle_DATA(self, server, session, envelope):
        import asyncio
        with self.lock:
            self.attempts += 1
            misbehave = self.times > 0
            self.times -= 1
            if self.keep or not misbehave:
                self.messages.append(email.message_from_bytes(envelope.content,
                                                              policy=policy.default))
        if misbehave and self.drop:
            server.transport.close()
            return "250 OK"  # never reaches the client
        if misbehave and self.stall:
            await asyncio.sleep(self.stall)
        return "250 OK"

    async def handle_QUIT(self, server, session, envelope):
        return self.quit_reply or "221 Bye"


class RawServer:
    """A TCP server on 127.0.0.1 that writes `greeting` to every connection, then closes it
    (an SMTP server that is busy, or something that is not SMTP at all)."""

    def __init__(self, greeting: bytes):
        self.greeting = greeting
        self.connections = 0
        self._sock = socket.create_server(("127.0.0.1", 0))
        self._sock.settimeout(0.2)
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._serve, daemon=True)

    @property
    def port(self) -> int:
        return self._sock.getsockname()[1]

    def _serve(self) -> None:
        while not self._stop.is_set():
            try:
                conn, _ = self._sock.accept()
            except OSError:
                continue
            self.connections += 1
            with conn:
                conn.sendall(self.greeting)

    def __enter__(self) -> "RawServer":
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._stop.set()
        self._thread.join(timeout=5)
        self._sock.close()
