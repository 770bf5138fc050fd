"""A real S3-compatible HTTP server on loopback for the s3 package store: moto's server app.

moto answers S3's API over HTTP as AWS does (buckets, objects, listing, SigV4 checks when IAM
authentication is switched on), but it leaves two things out that the tests need, added here
around its WSGI app and nothing else:
- presigned links expire: past X-Amz-Date + X-Amz-Expires, AWS answers 403 AccessDenied
  "Request has expired" (moto 5.2 does not check; see moto/s3/responses.py);
- `cut_uploads`: the connection of every object PUT is closed mid-request (a network cut).
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs

import boto3
import httpx
from moto import settings as moto_settings
from moto.core.authorization import ActionAuthenticatorMixin
from moto.server import DomainDispatcherApplication, create_backend_app
from werkzeug.serving import WSGIRequestHandler, make_server

KEY_ID = "AKIASENTINELS3KEY0001"
SECRET_KEY = "SENTINEL-s3-secret-key-5d1e0c"
REGION = "eu-west-3"
EXPIRED = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>AccessDenied</Code>'
    b"<Message>Request has expired</Message></Error>"
)


@dataclass
class S3Gate:
    """moto's app plus presigned-link expiry and cut uploads."""

    app: object
    cut_uploads: bool = False
    puts: list[str] = field(default_factory=list)

    def __call__(self, environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if "X-Amz-Expires" in query and _expired(query):
            start_response("403 Forbidden", [("Content-Type", "application/xml")])
            return [EXPIRED]
        if environ["REQUEST_METHOD"] == "PUT" and environ.get("PATH_INFO", "").count("/") > 1:
            self.puts.append(environ["PATH_INFO"])
            if self.cut_uploads:
                connection: socket.socket = environ["werkzeug.socket"]
                connection.shutdown(socket.SHUT_RDWR)
                connection.close()
                return []
        return self.app(environ, start_response)


def _expired(query: dict[str, list[str]]) -> bool:
    signed = datetime.strptime(query["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    return datetime.now(UTC) > signed + timedelta(seconds=int(query["X-Amz-Expires"][0]))


@dataclass
class S3Server:
    endpoint_url: str
    gate: S3Gate

    def client(self, key_id: str = KEY_ID, secret: str = SECRET_KEY):
        return boto3.client(
            "s3",
            endpoint_url=self.endpoint_url,
            region_name=REGION,
            aws_access_key_id=key_id,
            aws_secret_access_key=secret,
        )

    def reset(self) -> None:
        httpx.post(f"{self.endpoint_url}/moto-api/reset").raise_for_status()
        self.gate.cut_uploads = False
        self.gate.puts.clear()

    def bucket(self, name: str) -> None:
        self.client().create_bucket(
            Bucket=name, CreateBucketConfiguration={"LocationConstraint": REGION}
        )

    def keys(self, bucket: str) -> list[str]:
        listed = self.client().list_objects_v2(Bucket=bucket)
        return sorted(item["Key"] for item in listed.get("Contents", []))

    @contextmanager
    def authenticating(self) -> Iterator[None]:
        """IAM authentication on: only access keys created in moto's IAM are accepted."""
        before = moto_settings.INITIAL_NO_AUTH_ACTION_COUNT
        moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = 0
        ActionAuthenticatorMixin.request_count = 0
        try:
            yield
        finally:
            moto_settings.INITIAL_NO_AUTH_ACTION_COUNT = before


def env(server: S3Server) -> dict[str, str]:
    """The environment of a process using this server's credentials, and no AWS file."""
    return {
        "AWS_ACCESS_KEY_ID": KEY_ID,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": "/nonexistent/aws-config",
        "AWS_SHARED_CREDENTIALS_FILE": "/nonexistent/aws-credentials",
        "AWS_EC2_METADATA_DISABLED": "true",
    }


class QuietHandler(WSGIRequestHandler):
    def log_request(self, *args: object, **kwargs: object) -> None:
        pass  # request lines hold presigned links: a test log need not show them either


@contextmanager
def serve_s3() -> Iterator[S3Server]:
    gate = S3Gate(DomainDispatcherApplication(create_backend_app))
    server = make_server("127.0.0.1", 0, gate, threaded=True, request_handler=QuietHandler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield S3Server(f"http://127.0.0.1:{server.server_port}", gate)
    finally:
        server.shutdown()
        server.server_close()
