"""The `s3` package store: an S3-compatible bucket, the marketplace gets a presigned GET link.

Credentials come from boto3's standard chain (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, a
profile, an instance or task role); catalog.yaml names only the bucket. A presigned link holds
the access key id and a signature in its query string: it is handed to the marketplace and to
nothing else (journal, report and messages show it without its query, see `public_url`).
Opening the store checks the credentials and the bucket (HEAD bucket), so a refused key or a
missing bucket stops the apply (exit 7) before anything is sent.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, NoCredentialsError

from reconciler.catalog.model import PackageStore
from reconciler.channels.store import (
    Probe,
    StoreRefused,
    StoreUnusable,
    probe_object,
)

CREDENTIALS_HINT = (
    "set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or AWS_PROFILE, or run with a role"
)


@dataclass(frozen=True, slots=True)
class StoredPackage:
    name: str  # the key without the store's prefix
    modified: datetime


class S3Store:
    def __init__(self, settings: PackageStore, *, check: bool = True):
        self.bucket = settings.bucket
        self.prefix = settings.prefix
        self.link_expiry: int | None = settings.link_expiry
        self.where = f"s3://{self.bucket}/{self.prefix}" + (
            f" at {settings.endpoint_url}" if settings.endpoint_url else ""
        )
        config = Config(
            signature_version="s3v4",
            connect_timeout=10,
            read_timeout=60,
            retries={"max_attempts": 3, "mode": "standard"},
        )
        self.client = boto3.session.Session().client(
            "s3",
            region_name=settings.region,
            endpoint_url=settings.endpoint_url,
            config=config,
        )
        if check:
            self.check()

    def key(self, name: str) -> str:
        return self.prefix + name

    def check(self) -> None:
        """Credentials accepted and bucket there (s3:ListBucket), or StoreUnusable."""
        try:
            self.client.head_bucket(Bucket=self.bucket)
        except NoCredentialsError:
            raise StoreUnusable(
                f"no credentials for the package store {self.where}: {CREDENTIALS_HINT}"
            ) from None
        except ClientError as err:
            status = err.response.get("ResponseMetadata", {}).get("HTTPStatusCode")
            if status == 404:
                why = f"bucket {self.bucket!r} does not exist"
            elif status in (301, 400):
                why = f"bucket {self.bucket!r} is in another region: set package_store.region"
            else:
                why = f"our credentials were refused (HTTP {status}): {CREDENTIALS_HINT}"
            raise StoreUnusable(f"package store {self.where}: {why}; nothing was sent") from None
        except BotoCoreError as err:
            raise StoreUnusable(f"package store {self.where} unreachable: {err}") from None

    def publish(self, name: str, data: bytes) -> str:
        key = self.key(name)
        try:
            self.client.put_object(
                Bucket=self.bucket, Key=key, Body=data, ContentType="application/zip"
            )
            return self.link(name)
        except ClientError as err:
            code = err.response.get("Error", {}).get("Code", "")
            raise StoreRefused(f"package store {self.where} refused {name}: {code}") from None
        except BotoCoreError as err:
            raise StoreRefused(f"package store {self.where} unreachable: {err}") from None

    def link(self, name: str) -> str:
        """A presigned GET link to a stored package (signed locally, no call)."""
        return self.client.generate_presigned_url(
            "get_object",
            Params={"Bucket": self.bucket, "Key": self.key(name)},
            ExpiresIn=self.link_expiry,
        )

    def probe(self) -> Probe:
        name, content = probe_object()
        return Probe(name, self.publish(name, content), content)

    def remove(self, name: str) -> None:
        try:
            self.client.delete_object(Bucket=self.bucket, Key=self.key(name))
        except (ClientError, BotoCoreError) as err:
            raise StoreRefused(f"package store {self.where}: {name} not removed: {err}") from None

    def packages(self) -> list[StoredPackage]:
        """Every object under the prefix, oldest first."""
        found = []
        try:
            pages = self.client.get_paginator("list_objects_v2").paginate(
                Bucket=self.bucket, Prefix=self.prefix
            )
            for page in pages:
                for item in page.get("Contents", []):
                    name = item["Key"][len(self.prefix) :]
                    found.append(StoredPackage(name, item["LastModified"]))
        except (ClientError, BotoCoreError) as err:
            raise StoreUnusable(f"package store {self.where} not listed: {err}") from None
        return sorted(found, key=lambda p: (p.modified, p.name))
