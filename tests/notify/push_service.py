"""A web-push service on 127.0.0.1 for the tests, as a browser vendor's would behave: it
checks the VAPID signature (ES256 JWT over the endpoint's origin, signed by the site's key)
and decrypts the payload (RFC 8291, aes128gcm) with the subscriber's private key, so the real
``pywebpush`` path runs end to end. It can also answer 410 (gone), 500, or hang.
"""

from __future__ import annotations

import base64
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import http_ece
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature


def b64decode(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64encode(value: bytes) -> str:
    return base64.urlsafe_b64encode(value).rstrip(b"=").decode()


@dataclass
class Subscriber:
    """One browser's subscription: its key pair and auth secret (the browser keeps these)."""

    token: str
    private_key: ec.EllipticCurvePrivateKey
    auth: bytes

    def keys(self) -> dict[str, str]:
        public = self.private_key.public_key().public_bytes(
            serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint
        )
        return {"p256dh": b64encode(public), "auth": b64encode(self.auth)}


@dataclass
class Received:
    token: str
    payload: dict[str, Any]
    ttl: str
    vapid_claims: dict[str, Any]
    vapid_key: str


@dataclass
class PushService:
    expected_vapid_key: str = ""  # the site's public key, base64url
    mode: str = "ok"  # ok | gone | error | hang
    hang_seconds: float = 3.0
    received: list[Received] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    requests: int = 0
    subscribers: dict[str, Subscriber] = field(default_factory=dict)
    _server: ThreadingHTTPServer | None = None

    @property
    def origin(self) -> str:
        assert self._server is not None
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def subscribe(self) -> dict[str, Any]:
        """A new subscription, as ``PushSubscription.toJSON()`` gives it."""
        token = secrets.token_urlsafe(16)
        subscriber = Subscriber(
            token=token,
            private_key=ec.generate_private_key(ec.SECP256R1()),
            auth=secrets.token_bytes(16),
        )
        self.subscribers[token] = subscriber
        return {"endpoint": f"{self.origin}/push/{token}", "keys": subscriber.keys()}

    def verify_vapid(self, authorization: str) -> tuple[dict[str, Any], str]:
        """The claims of a valid ``vapid t=…,k=…`` header; raises on anything else."""
        scheme, _, params = authorization.partition(" ")
        assert scheme == "vapid", authorization
        parts = dict(part.split("=", 1) for part in params.split(","))
        token, key = parts["t"], parts["k"]
        assert key == self.expected_vapid_key, "signed with another key than the site's"
        signing_input, _, signature = token.rpartition(".")
        header = json.loads(b64decode(signing_input.split(".")[0]))
        assert header["alg"] == "ES256"
        raw = b64decode(signature)
        der = encode_dss_signature(int.from_bytes(raw[:32]), int.from_bytes(raw[32:]))
        public = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), b64decode(key))
        public.verify(der, signing_input.encode(), ec.ECDSA(hashes.SHA256()))
        claims = json.loads(b64decode(signing_input.split(".")[1]))
        assert claims["aud"] == self.origin
        assert claims["exp"] > time.time()
        assert claims["sub"].startswith(("mailto:", "https:"))
        return claims, key

    def decrypt(self, token: str, body: bytes) -> dict[str, Any]:
        subscriber = self.subscribers[token]
        plain = http_ece.decrypt(
            body,
            private_key=subscriber.private_key,
            auth_secret=subscriber.auth,
            version="aes128gcm",
        )
        payload: dict[str, Any] = json.loads(plain)
        return payload

    def start(self) -> None:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_POST(self) -> None:
                service.requests += 1
                length = int(self.headers.get("Content-Length", "0"))
                body = self.rfile.read(length)
                token = self.path.rsplit("/", 1)[-1]
                if service.mode == "hang":
                    time.sleep(service.hang_seconds)
                if service.mode == "gone" or token not in service.subscribers:
                    self._answer(410)
                    return
                if service.mode == "error":
                    self._answer(500)
                    return
                try:
                    claims, key = service.verify_vapid(self.headers.get("Authorization", ""))
                    payload = service.decrypt(token, body)
                except (AssertionError, InvalidSignature, KeyError, ValueError) as error:
                    service.refused.append(repr(error))
                    self._answer(400)
                    return
                service.received.append(
                    Received(
                        token=token,
                        payload=payload,
                        ttl=self.headers.get("TTL", ""),
                        vapid_claims=claims,
                        vapid_key=key,
                    )
                )
                self._answer(201)

            def _answer(self, status: int) -> None:
                try:
                    self.send_response(status)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                except OSError:  # the client gave up (a timeout)
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        threading.Thread(target=self._server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
