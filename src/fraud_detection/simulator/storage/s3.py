"""Delivery to S3: clients from the standard AWS settings, SSM look-ups and verified uploads.

Endpoint, region and credentials come only from the standard AWS settings
(``AWS_ENDPOINT_URL`` or ``AWS_ENDPOINT_URL_S3`` / ``AWS_ENDPOINT_URL_SSM``, ``AWS_REGION`` or
``AWS_DEFAULT_REGION``, the credentials chain), so the same code talks to AWS or to any
S3-compatible server. Every failure is raised as ``S3UploadError`` naming what and why.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import urlsplit

import boto3
import botocore.session
from boto3.exceptions import Boto3Error
from boto3.s3.transfer import TransferConfig
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotoConnectionError

from ..config import S3Config
from ..errors import S3UploadError

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client
    from mypy_boto3_ssm import SSMClient

__all__ = [
    "delete_keys",
    "get_bytes",
    "get_bytes_if_exists",
    "get_param",
    "list_objects",
    "object_key",
    "put_bytes",
    "resolved_settings",
    "s3_client",
    "s3_url",
    "ssm_client",
    "transfer_config",
    "upload_file",
]

log = logging.getLogger("fraud_detection.simulator")

MIB = 1024 * 1024
# Total attempts per request when neither AWS_MAX_ATTEMPTS nor the profile's max_attempts is set;
# botocore's own default (3) gives up quickly on a long multi-GB upload.
DEFAULT_MAX_ATTEMPTS = 5
# boto3 wraps a transfer's ClientError in S3UploadFailedError (a Boto3Error).
_AWS_ERRORS = (ClientError, BotoCoreError, Boto3Error)
_DELETE_BATCH = 1000  # the most keys one DeleteObjects request takes
# botocore's standard mode waits rand(0, 1) x 50 ms x 2^i between attempts after a connection
# error: all five attempts fit in 0.75 s, so a 0.3 s outage failed a long upload. A connection
# error waits 0.5, 1, 2, 4 s instead (capped at 8 s), within the same number of attempts.
CONNECTION_BACKOFF_S = 0.5
CONNECTION_BACKOFF_MAX_S = 8.0
# A file whose managed upload still fails on a transient error is sent again from the start,
# after these waits (the last attempt fails for good).
FILE_RETRY_WAITS_S = (5.0, 10.0, 20.0, 40.0)
_TRANSIENT_CODES = frozenset(
    {"RequestTimeout", "SlowDown", "Throttling", "ThrottlingException", "InternalError",
     "ServiceUnavailable", "503", "500", "502", "504", "RequestTimeTooSkewed"}
)  # fmt: skip
DEFAULT_FILE_ATTEMPTS = 3
_T = TypeVar("_T")


def _session() -> tuple[boto3.session.Session, Config]:
    """Return a session and client config resolved from the standard AWS settings only."""
    core = botocore.session.get_session()
    # botocore reads AWS_DEFAULT_REGION but not AWS_REGION, which the other SDKs and the CLI
    # use (and prefer); pass it on so either works.
    session = boto3.session.Session(
        botocore_session=core, region_name=os.environ.get("AWS_REGION") or None
    )
    config = Config(retries={"mode": "standard", "total_max_attempts": _max_attempts(core)})
    return session, config


@dataclass(frozen=True)
class Resolved:
    """Endpoint, region and credentials as boto3 resolves them from the standard AWS
    settings, for libraries that do not read them all (delta-rs, pyarrow's S3)."""

    endpoint: str | None  # None: AWS itself
    region: str | None
    access_key: str | None = None
    secret_key: str | None = None
    token: str | None = None


def resolved_settings() -> Resolved:
    """Return the endpoint, region and credentials boto3 would use for S3."""
    try:
        session, config = _session()
        endpoint = session.client("s3", config=config).meta.endpoint_url
        credentials = session.get_credentials()
    except (BotoCoreError, ValueError) as exc:
        raise S3UploadError(f"cannot resolve the AWS settings: {_cause(exc)}") from exc
    custom = endpoint if not urlsplit(endpoint).netloc.endswith("amazonaws.com") else None
    if credentials is None:
        return Resolved(custom, session.region_name)
    frozen = credentials.get_frozen_credentials()
    return Resolved(custom, session.region_name, frozen.access_key, frozen.secret_key, frozen.token)


def _max_attempts(core: botocore.session.Session | None = None) -> int:
    """Return the attempts per request: AWS_MAX_ATTEMPTS or the profile's, else ours."""
    core = core or botocore.session.get_session()
    return int(core.get_config_variable("max_attempts") or DEFAULT_MAX_ATTEMPTS)


def _client(service: Literal["s3", "ssm"]) -> Any:
    """Return a client for ``service``: standard retries, settings from the environment."""
    try:
        session, config = _session()
        client = session.client(service, config=config)
    except (BotoCoreError, ValueError) as exc:
        raise S3UploadError(f"cannot create an {service.upper()} client: {_cause(exc)}") from exc
    handler: Any = _ConnectionBackoff(_max_attempts())
    client.meta.events.register_first(
        f"needs-retry.{service}", handler, unique_id="fraud-simulator-backoff"
    )
    return client


class _ConnectionBackoff:
    """A ``needs-retry`` handler: after a connection error, wait longer than botocore would.

    Registered first, so its answer wins; for anything else it answers None and botocore's
    standard mode decides. ``attempts`` is the total per request, the first one included.
    """

    def __init__(self, attempts: int) -> None:
        self.attempts = attempts

    def __call__(self, attempts: int = 1, caught_exception: Any = None, **_: Any) -> float | None:
        if not isinstance(caught_exception, BotoConnectionError | HTTPClientError):
            return None
        if attempts >= self.attempts:
            return None
        return min(CONNECTION_BACKOFF_S * 2 ** (attempts - 1), CONNECTION_BACKOFF_MAX_S)


def is_transient(exc: BaseException) -> bool:
    """Return whether ``exc`` (or what it wraps) is worth sending the whole file again."""
    if isinstance(exc, Boto3Error) and exc.__context__ is not None:
        exc = exc.__context__
    if isinstance(exc, BotoConnectionError | HTTPClientError):
        return True
    return isinstance(exc, ClientError) and _code(exc) in _TRANSIENT_CODES


def _retrying(action: Callable[[], _T], what: str, attempts: int) -> _T:
    """Return ``action()``, run again after a transient AWS error (``attempts`` in all)."""
    for attempt in range(1, attempts + 1):
        try:
            return action()
        except _AWS_ERRORS as exc:
            if attempt >= attempts or not is_transient(exc):
                raise
            wait = FILE_RETRY_WAITS_S[min(attempt, len(FILE_RETRY_WAITS_S)) - 1]
            log.warning("%s: %s; trying again in %.0f s", what, _cause(exc), wait)
            time.sleep(wait)
    raise AssertionError("unreachable")  # pragma: no cover


def s3_client() -> S3Client:
    """Return an S3 client: standard retries, endpoint/region/credentials from the environment."""
    client: S3Client = _client("s3")
    return client


def ssm_client() -> SSMClient:
    """Return an SSM client: standard retries, endpoint/region/credentials from the environment."""
    client: SSMClient = _client("ssm")
    return client


def get_param(name: str, client: SSMClient | None = None) -> str:
    """Return the (decrypted) value of SSM parameter ``name``.

    Raises ``S3UploadError`` naming the parameter when it is missing, empty or unreadable.
    """
    ssm = client or ssm_client()
    try:
        response = ssm.get_parameter(Name=name, WithDecryption=True)
    except _AWS_ERRORS as exc:
        if isinstance(exc, ClientError) and _code(exc) == "ParameterNotFound":
            raise S3UploadError(
                f"SSM parameter {name} not found"
                f" (create it: aws ssm put-parameter --name {name} --type String --value BUCKET)"
            ) from None
        raise S3UploadError(f"cannot read SSM parameter {name}: {_cause(exc)}") from exc
    value = response["Parameter"].get("Value", "").strip()
    if not value:
        raise S3UploadError(f"SSM parameter {name} is empty")
    return value


def object_key(prefix: str, *parts: str) -> str:
    """Return ``prefix/part/...`` as an S3 key: no leading, trailing or doubled slashes."""
    return "/".join(seg for part in (prefix, *parts) for seg in part.split("/") if seg)


def s3_url(bucket: str, key: str) -> str:
    """Return ``s3://bucket/key``."""
    return f"s3://{bucket}/{key}"


def transfer_config(settings: S3Config) -> TransferConfig:
    """Return the managed-transfer config: multipart threshold and part size from ``settings``."""
    return TransferConfig(
        multipart_threshold=int(settings.multipart_threshold_mb * MIB),
        multipart_chunksize=int(settings.multipart_chunksize_mb * MIB),
        # The classic (s3transfer) manager aborts a failed multipart upload; pinning it keeps
        # that guarantee whether or not awscrt happens to be installed.
        preferred_transfer_client="classic",
    )


def upload_file(
    local_path: str | Path,
    bucket: str,
    key: str,
    settings: S3Config,
    *,
    client: S3Client | None = None,
    progress: Callable[[int], None] | None = None,
) -> None:
    """Return once ``local_path`` is at ``s3://bucket/key`` and HEAD shows the same size.

    A managed transfer: multipart (parts in parallel) above ``settings.multipart_threshold_mb``.
    A transfer that fails on a transient error (connection, 5xx, throttling) is sent again
    from the start, ``settings.file_attempts`` times in all. A failed multipart upload is
    aborted, and a size mismatch deletes the object, so a failure never leaves a partial object
    under ``key``; an upload that cannot be aborted (the endpoint is gone) is named in a
    warning. ``progress`` gets byte counts as they are sent. Raises ``S3UploadError`` naming
    the file, the URL and the cause.
    """
    path = Path(local_path)
    url = s3_url(bucket, key)
    s3 = client or s3_client()
    log.info("Uploading to S3: %s", url)

    def send() -> None:
        with _MultipartUploads(s3, bucket, key):
            s3.upload_file(
                str(path), bucket, key, Config=transfer_config(settings), Callback=progress
            )

    try:
        _retrying(send, url, settings.file_attempts)
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"{path} -> {url}: {_cause(exc)}") from exc
    # The size after the upload: a file that changed meanwhile must not pass as delivered.
    _verify_size(s3, bucket, key, path.stat().st_size)
    log.info("Upload complete: %s", url)


class _MultipartUploads:
    """Track the multipart uploads started for one key; after a failure, make sure each is
    aborted, and name (with the command to remove it) any that could not be.

    s3transfer aborts a failed upload itself, but when the endpoint is gone its abort fails
    too, and the parts already sent stay (and are billed) until someone aborts the upload.
    """

    def __init__(self, s3: S3Client, bucket: str, key: str) -> None:
        self.s3, self.bucket, self.key = s3, bucket, key
        self.ids: list[str] = []
        self._lock = threading.Lock()
        self._unique = f"fraud-simulator-mpu-{id(self)}"

    def _created(self, parsed: dict[str, Any] | None = None, **_: Any) -> None:
        if parsed and parsed.get("Key") == self.key and parsed.get("UploadId"):
            with self._lock:
                self.ids.append(str(parsed["UploadId"]))

    def __enter__(self) -> _MultipartUploads:
        event = "after-call.s3.CreateMultipartUpload"
        self.s3.meta.events.register(event, self._created, unique_id=self._unique)
        return self

    def __exit__(self, exc_type: type[BaseException] | None, *_: object) -> None:
        event = "after-call.s3.CreateMultipartUpload"
        self.s3.meta.events.unregister(event, unique_id=self._unique)
        if exc_type is None:
            return
        for upload_id in self.ids:
            self._abort(upload_id)

    def _abort(self, upload_id: str) -> None:
        try:
            self.s3.abort_multipart_upload(Bucket=self.bucket, Key=self.key, UploadId=upload_id)
        except ClientError as exc:
            if _code(exc) in ("NoSuchUpload", "404"):
                return  # s3transfer had aborted it
            self._left(upload_id, exc)
        except _AWS_ERRORS as exc:
            self._left(upload_id, exc)

    def _left(self, upload_id: str, exc: BaseException) -> None:
        log.warning(
            "Multipart upload %s of %s could not be aborted (%s); its parts stay billed until"
            " it is: aws s3api abort-multipart-upload --bucket %s --key %s --upload-id %s"
            " (or a lifecycle rule with AbortIncompleteMultipartUpload)",
            upload_id, s3_url(self.bucket, self.key), _cause(exc),
            self.bucket, self.key, upload_id,
        )  # fmt: skip


def put_bytes(data: bytes, bucket: str, key: str, *, client: S3Client | None = None) -> None:
    """Return once ``data`` is at ``s3://bucket/key`` (one PUT, so up to 5 GB) and HEAD agrees.

    A single PUT is atomic: on failure nothing appears under ``key``. A PUT that fails on a
    transient error is sent again (``DEFAULT_FILE_ATTEMPTS`` in all). Raises ``S3UploadError``.
    """
    url = s3_url(bucket, key)
    s3 = client or s3_client()
    log.info("Uploading to S3: %s", url)
    try:
        _retrying(
            lambda: s3.put_object(Bucket=bucket, Key=key, Body=data), url, DEFAULT_FILE_ATTEMPTS
        )
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"{url}: {_cause(exc)}") from exc
    _verify_size(s3, bucket, key, len(data))
    log.info("Upload complete: %s", url)


def get_bytes(bucket: str, key: str, *, client: S3Client | None = None) -> bytes:
    """Return the content of ``s3://bucket/key``; ``S3UploadError`` naming it if unreadable."""
    s3 = client or s3_client()
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"cannot read {s3_url(bucket, key)}: {_cause(exc)}") from exc


def get_bytes_if_exists(bucket: str, key: str, *, client: S3Client | None = None) -> bytes | None:
    """Return the content of ``s3://bucket/key``, or None when there is no such key."""
    s3 = client or s3_client()
    try:
        return s3.get_object(Bucket=bucket, Key=key)["Body"].read()
    except ClientError as exc:
        if _code(exc) in ("NoSuchKey", "404"):
            return None
        raise S3UploadError(f"cannot read {s3_url(bucket, key)}: {_cause(exc)}") from exc
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"cannot read {s3_url(bucket, key)}: {_cause(exc)}") from exc


def list_objects(
    bucket: str, prefix: str, *, client: S3Client | None = None
) -> list[tuple[str, datetime]]:
    """Return (key, last modified) of every object under ``prefix``; ``S3UploadError`` if denied."""
    s3 = client or s3_client()
    found: list[tuple[str, datetime]] = []
    try:
        for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
            found += [(o["Key"], o["LastModified"]) for o in page.get("Contents", [])]
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"cannot list {s3_url(bucket, prefix)}: {_cause(exc)}") from exc
    return found


def delete_keys(bucket: str, keys: Iterable[str], *, client: S3Client | None = None) -> list[str]:
    """Return the keys that could not be deleted from ``bucket`` (missing keys count as deleted).

    Best effort, for clean-up after another failure: logs a warning instead of raising.
    """
    pending = list(keys)
    failed: list[str] = []
    try:
        s3 = client or s3_client()
    except S3UploadError as exc:
        log.warning("Could not delete %d object(s) from s3://%s: %s", len(pending), bucket, exc)
        return pending
    for start in range(0, len(pending), _DELETE_BATCH):
        batch = pending[start : start + _DELETE_BATCH]
        try:
            response = s3.delete_objects(
                Bucket=bucket, Delete={"Objects": [{"Key": k} for k in batch], "Quiet": True}
            )
        except _AWS_ERRORS as exc:
            log.warning("Could not delete from s3://%s: %s", bucket, _cause(exc))
            failed += batch
            continue
        for error in response.get("Errors", []):
            log.warning(
                "Could not delete %s: %s",
                s3_url(bucket, error.get("Key", "?")),
                error.get("Message", error.get("Code", "")),
            )
            failed.append(error.get("Key", "?"))
    return failed


def _verify_size(s3: S3Client, bucket: str, key: str, expected: int) -> None:
    """Raise ``S3UploadError`` (after deleting the object) unless its size is ``expected``."""
    url = s3_url(bucket, key)
    try:
        actual = s3.head_object(Bucket=bucket, Key=key)["ContentLength"]
    except _AWS_ERRORS as exc:
        raise S3UploadError(f"{url}: cannot verify the upload: {_cause(exc)}") from exc
    if actual == expected:
        return
    outcome = "deleted it"
    try:
        s3.delete_object(Bucket=bucket, Key=key)
    except _AWS_ERRORS as exc:
        outcome = f"deleting it failed too: {_cause(exc)}"
    raise S3UploadError(
        f"{url}: has {actual:,} bytes but the local data has {expected:,}; {outcome}"
    )


def _code(exc: ClientError) -> str:
    return str(exc.response.get("Error", {}).get("Code", ""))


def _cause(exc: BaseException) -> str:
    """Return ``Code: message`` for an AWS error, ``Type: message`` for anything else."""
    if isinstance(exc, Boto3Error) and isinstance(exc.__context__, ClientError):
        exc = exc.__context__  # S3UploadFailedError repeats bucket and key; keep the cause
    if isinstance(exc, ClientError):
        error = exc.response.get("Error", {})
        code, message = error.get("Code", "?"), error.get("Message", "")
        return f"{code}: {message}" if message else str(code)
    return f"{type(exc).__name__}: {exc}"
