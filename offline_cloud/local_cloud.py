"""Loopback stand-ins for AWS: moto's server (Lambda, SSM, ...), an HTTPS CloudFormation endpoint.

The provider answers CloudFormation with an HTTPS PUT to the event's pre-signed ResponseURL;
`ResponseCollector` serves that URL on 127.0.0.1 with a self-signed certificate, keeps every
body it accepts and can reply with faults (an HTTP error, a dropped connection, a hang).
"""

from __future__ import annotations

import datetime
import ipaddress
import json
import logging
import socket
import ssl
import tempfile
import threading
import uuid
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
from moto.server import ThreadedMotoServer

from . import moto_lambda, moto_ssm
from .cfn_events import signed_query
from .fake_aws import LOOPBACK, REGION

EMPTY_ZIP = b"PK\x05\x06" + b"\0" * 18  # moto stores the code; nothing runs it
# Shaped like the S3 pre-signed URL CloudFormation sends: the signature is a credential.
RESPONSE_PATH = "/cloudformation-custom-resource-response-useast1/{request_id}"
RESPONSE_QUERY = (
    "X-Amz-Algorithm=AWS4-HMAC-SHA256&{signed}&X-Amz-Expires=7200&X-Amz-Signature={secret}"
)


class MotoServer:
    """moto's server on 127.0.0.1, with the event-invoke-config fix and SSM's IAM applied."""

    def __init__(self) -> None:
        moto_lambda.install()
        moto_ssm.install()
        logging.getLogger("werkzeug").setLevel(logging.ERROR)  # one line per request otherwise
        self._server = ThreadedMotoServer(ip_address=LOOPBACK, port=0, verbose=False)

    def __enter__(self) -> str:
        self._server.start()
        host, port = self._server.get_host_and_port()
        return f"http://{host}:{port}"

    def __exit__(self, *_exc: object) -> None:
        self._server.stop()


def _self_signed_certificate(folder: Path) -> tuple[Path, Path]:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, LOOPBACK)])
    now = datetime.datetime.now(datetime.UTC)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(
            x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(LOOPBACK))]),
            critical=False,
        )
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )
    cert_path, key_path = folder / "cert.pem", folder / "key.pem"
    cert_path.write_bytes(certificate.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    return cert_path, key_path


@dataclass
class Hold:
    """A reply that waits: takes the answer, then replies `status` once `release` is set.

    Never released, it is a hang: the endpoint keeps the connection open until it closes.
    """

    status: int = 200
    arrived: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)


# A reply that takes the answer, then closes the connection without a status line.
DROP = "drop"
# What the endpoint replies to one PUT: an HTTP status, DROP or a Hold.
Reply = int | str | Hold


class ResponseCollector:
    """An HTTPS endpoint on 127.0.0.1 that stands in for CloudFormation's ResponseURL.

    It replies 200 and keeps the body, unless `reply_with` queued other replies (faults) for
    the request; `refusing_url_for` gives a URL where every connection is refused.
    """

    def __init__(self) -> None:
        self._folder = tempfile.TemporaryDirectory(prefix="cfn-responses-")
        self.ca_file, key_file = _self_signed_certificate(Path(self._folder.name))
        self.secret = uuid.uuid4().hex
        self._bodies: dict[str, list[dict[str, Any]]] = {}
        self._replies: dict[str, list[Reply]] = {}
        self._attempts: dict[str, list[Reply]] = {}
        self._lock = threading.Lock()
        self._closing = threading.Event()
        self._refusing = socket.socket()  # bound, never listening: connections are refused
        self._refusing.bind((LOOPBACK, 0))
        collector = self

        class Handler(BaseHTTPRequestHandler):
            def do_PUT(self) -> None:
                """Keep the answer the provider sends, or reply with the fault queued for it."""
                length = int(self.headers["content-length"])
                body = json.loads(self.rfile.read(length))
                request_id = self.path.split("?")[0].rsplit("/", 1)[1]
                reply = collector._next_reply(request_id)
                if reply == DROP:
                    self.close_connection = True
                    return
                status = collector._wait(reply) if isinstance(reply, Hold) else int(reply)
                if status is None:
                    self.close_connection = True
                    return
                if status < HTTPStatus.MULTIPLE_CHOICES:
                    with collector._lock:
                        collector._bodies.setdefault(request_id, []).append(body)
                try:
                    self.send_response(status)
                    self.send_header("content-length", "0")
                    self.end_headers()
                except OSError:
                    self.close_connection = True  # the sender gave up waiting (after a Hold)

            def log_message(self, *_args: object) -> None:
                """Quiet: the demo prints what matters."""

        self._server = ThreadingHTTPServer((LOOPBACK, 0), Handler)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(self.ca_file, key_file)
        self._server.socket = context.wrap_socket(self._server.socket, server_side=True)
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)

    def __enter__(self) -> ResponseCollector:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._closing.set()  # ends every hang
        self._server.shutdown()
        self._server.server_close()
        self._refusing.close()
        self._folder.cleanup()

    def url_for(self, request_id: str) -> str:
        """A pre-signed-looking ResponseURL for one request, signed now."""
        return self._url(self._server.server_address[1], request_id)

    def refusing_url_for(self, request_id: str) -> str:
        """A ResponseURL on a port of 127.0.0.1 where every connection is refused."""
        return self._url(self._refusing.getsockname()[1], request_id)

    def _url(self, port: int, request_id: str) -> str:
        path = RESPONSE_PATH.format(request_id=request_id)
        query = RESPONSE_QUERY.format(signed=signed_query(), secret=self.secret)
        return f"https://{LOOPBACK}:{port}{path}?{query}"

    def reply_with(self, request_id: str, *replies: Reply) -> None:
        """Reply to the next PUTs for `request_id` with `replies`, in order; then 200."""
        with self._lock:
            self._replies.setdefault(request_id, []).extend(replies)

    def responses(self, request_id: str) -> list[dict[str, Any]]:
        """Every body accepted (replied 2xx) for `request_id`, in arrival order."""
        with self._lock:
            return list(self._bodies.get(request_id, []))

    def attempts(self, request_id: str) -> list[Reply]:
        """The reply given to each PUT for `request_id`, in arrival order."""
        with self._lock:
            return list(self._attempts.get(request_id, []))

    def _next_reply(self, request_id: str) -> Reply:
        with self._lock:
            queued = self._replies.get(request_id)
            reply = queued.pop(0) if queued else HTTPStatus.OK.value
            self._attempts.setdefault(request_id, []).append(reply)
            return reply

    def _wait(self, hold: Hold) -> int | None:
        """`hold`'s status once released, or None if the endpoint closes first."""
        hold.arrived.set()
        while not hold.release.wait(0.05):
            if self._closing.is_set():
                return None
        return hold.status


def create_functions(moto_endpoint: str, prefix: str, count: int = 1) -> list[str]:
    """`count` new functions in moto, sharing one new role; returns their unqualified ARNs."""
    iam = boto3.client("iam", endpoint_url=moto_endpoint, region_name=REGION)
    lambda_client = boto3.client("lambda", endpoint_url=moto_endpoint, region_name=REGION)
    unique = f"{prefix}-{uuid.uuid4().hex[:8]}"
    role = iam.create_role(RoleName=unique, AssumeRolePolicyDocument="{}")["Role"]["Arn"]
    return [
        lambda_client.create_function(
            FunctionName=f"{unique}-{index}",
            Runtime="python3.14",
            Role=role,
            Handler="index.handler",
            Code={"ZipFile": EMPTY_ZIP},
        )["FunctionArn"]
        for index in range(count)
    ]
