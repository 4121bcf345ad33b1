# -*- coding: utf-8 -*-
# Copyright: (c) 2026, lifecycle.eks contributors
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Where checkpoints are kept: a local directory, an S3 prefix or a DynamoDB table.

Each store reads, writes and deletes whole documents (module_utils/checkpoint.py validates and merges
them); S3 and DynamoDB calls go through the retried wrappers of module_utils/aws.py.
"""
from __future__ import absolute_import, division, print_function

__metaclass__ = type

import contextlib
import fcntl
import os
import tempfile
import threading

from ansible_collections.lifecycle.eks.plugins.module_utils.aws import Clients
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint import decode, encode, validate_name
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_claim import decode_claim, encode_claim
from ansible_collections.lifecycle.eks.plugins.module_utils.checkpoint_progress import decode_progress, encode_progress
from ansible_collections.lifecycle.eks.plugins.module_utils.common import ModuleError
from ansible_collections.lifecycle.eks.plugins.module_utils.versions import VersionError

BACKENDS = ("local", "s3", "dynamodb")
DEFAULT_KEY_PREFIX = "lifecycle-eks/checkpoints/"
# The DynamoDB table's partition key (a string) and the attribute holding the JSON document.
DYNAMODB_KEY = "cluster"
DYNAMODB_DOCUMENT = "checkpoint"
DYNAMODB_CLAIM = "claim"
DYNAMODB_PROGRESS = "progress"
# Claims (checkpoint_claim.py) live beside the checkpoints under this prefix: a checkpoint name has no '/'.
CLAIMS = "claims/"
# So do the progress records of the control-plane step (checkpoint_progress.py), never inside a checkpoint.
PROGRESS = "progress/"


class _ClaimReads:
    """``read_claim`` of every store. Its ``read_claim_versioned`` returns ``(claim, version)``: ``version`` is what
    a conditional ``replace_claim``/``delete_claim`` compares the stored claim with (the file's bytes, the S3 ETag,
    the DynamoDB attribute's text)."""

    def read_claim(self, name):
        return self.read_claim_versioned(name)[0]


class LocalStore(_ClaimReads):
    """One JSON file per cluster, ``<directory>/<name>.json``, replaced atomically."""

    def __init__(self, directory):
        if not directory:
            raise ModuleError("path is empty: set the directory that keeps the checkpoints.")
        self.directory = os.path.normpath(os.path.abspath(os.path.expanduser(directory)))

    def location(self, name):
        return os.path.join(self.directory, name + ".json")

    def read(self, name):
        path = self.location(name)
        text = _read(path, "checkpoint")
        return None if text is None else decode(text, name, path)

    def check_writable(self):
        """Fail now, before the run changes a cluster, when the directory cannot be created or written."""
        existing = self.directory
        while not os.path.lexists(existing):
            existing = os.path.dirname(existing)
        if not os.path.isdir(existing):
            raise ModuleError("Cannot keep checkpoints in %s: %s is not a directory." % (self.directory, existing))
        if not os.access(existing, os.W_OK | os.X_OK):
            raise ModuleError("Cannot keep checkpoints in %s: %s is not writable by this user. Choose a writable "
                              "directory." % (self.directory, existing))

    def write(self, name, document):
        _write(self.location(name), name, encode(document), "checkpoint", sync=True)

    def delete(self, name):
        _remove(self.location(name), "checkpoint")

    def claim_location(self, name):
        return os.path.join(self.directory, CLAIMS, name + ".json")

    def read_claim_versioned(self, name):
        path = self.claim_location(name)
        text = _read(path, "claim")
        return (None, None) if text is None else (decode_claim(text, name, path), text)

    def create_claim(self, name, claim):
        """Link a complete temporary file into place: link() fails when the claim exists (atomic, NFS too)."""
        try:
            _write(self.claim_location(name), name, encode_claim(claim), "claim", place=os.link)
        except FileExistsError:
            return False
        return True

    def replace_claim(self, name, claim, version):
        """Replace the claim while it still holds ``version`` (its bytes), under the claim's lock: false otherwise."""
        path = self.claim_location(name)
        with _locked(path):
            if _read(path, "claim") != version:
                return False
            _write(path, name, encode_claim(claim), "claim")
        return True

    def delete_claim(self, name, version=None):
        path = self.claim_location(name)
        if version is None:
            _remove(path, "claim")
            return True
        with _locked(path):
            if _read(path, "claim") != version:
                return False
            _remove(path, "claim")
        return True

    def progress_location(self, name):
        return os.path.join(self.directory, PROGRESS, name + ".json")

    def read_progress(self, name):
        text = _read(self.progress_location(name), "progress")
        return None if text is None else decode_progress(text, name)

    def write_progress(self, name, progress):
        _write(self.progress_location(name), name, encode_progress(progress), "progress")

    def delete_progress(self, name):
        _remove(self.progress_location(name), "progress")


def _read(path, what):
    """The bytes of a file of the local store, or None when there is none."""
    try:
        with open(path, "rb") as handle:
            return handle.read()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ModuleError("Cannot read %s %s: %s." % (what, path, exc.strerror or exc)) from exc


def write_text(path, text, what):
    """``text`` as the file ``path``, its directory created, replaced atomically (ModuleError naming ``what``)."""
    _write(path, os.path.basename(path), text, what)


def _write(path, name, text, what, place=None, sync=False):
    """Write a complete temporary file of the same directory, then ``place`` it at ``path``: os.replace by default
    (atomic: a reader sees the previous file or the next, whole), or os.link (FileExistsError when one is there)."""
    temporary = None
    try:
        os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
        handle, temporary = tempfile.mkstemp(prefix=".%s." % name, suffix=".tmp", dir=os.path.dirname(path))
        with os.fdopen(handle, "w") as stream:
            stream.write(text)
            if sync:
                stream.flush()
                os.fsync(stream.fileno())
        os.chmod(temporary, 0o644)
        (place or os.replace)(temporary, path)
        if place is None:
            temporary = None  # it is the file now
    except FileExistsError:
        raise
    except OSError as exc:
        raise ModuleError("Cannot write %s %s: %s." % (what, path, exc.strerror or exc)) from exc
    finally:
        if temporary is not None and os.path.exists(temporary):
            os.remove(temporary)


# POSIX record locks exclude other processes only: the threads of one process (the module host) take this first.
_THREADS_SWAPPING_CLAIMS = threading.Lock()


@contextlib.contextmanager
def _locked(path):
    """An exclusive lock beside ``path`` (``<path>.lock``, kept): POSIX record locks work on NFS too, and the
    system releases one when its process dies, so a killed job never leaves a claim locked."""
    lock = path + ".lock"
    with _THREADS_SWAPPING_CLAIMS:
        try:
            os.makedirs(os.path.dirname(path), mode=0o755, exist_ok=True)
            handle = os.open(lock, os.O_RDWR | os.O_CREAT, 0o644)
        except OSError as exc:
            raise ModuleError("Cannot lock %s: %s." % (lock, exc.strerror or exc)) from exc
        try:
            fcntl.lockf(handle, fcntl.LOCK_EX)
            yield
        finally:
            os.close(handle)  # releases the lock


def _remove(path, what):
    """Delete a file of the local store; one already gone is no error."""
    try:
        os.remove(path)
    except FileNotFoundError:
        pass
    except OSError as exc:
        raise ModuleError("Cannot delete %s %s: %s." % (what, path, exc.strerror or exc)) from exc


class S3Store(_ClaimReads):
    """One object per cluster, ``s3://<bucket>/<key_prefix><name>.json``."""

    def __init__(self, clients, bucket, key_prefix=DEFAULT_KEY_PREFIX):
        if not bucket:
            raise ModuleError("bucket is empty: set the S3 bucket that keeps the checkpoints.")
        prefix = key_prefix or ""
        if prefix.startswith("/"):
            raise ModuleError("key_prefix %r starts with '/': S3 keys have no leading slash (write %r)."
                              % (key_prefix, prefix.lstrip("/")))
        if prefix and not prefix.endswith("/"):
            prefix += "/"
        self.clients = clients
        self.bucket = bucket
        self.prefix = prefix

    def key(self, name):
        return self.prefix + name + ".json"

    def location(self, name):
        return "s3://%s/%s" % (self.bucket, self.key(name))

    def read(self, name):
        body = self.clients.get_object(self.bucket, self.key(name))
        return None if body is None else decode(body, name, self.location(name))

    def check_writable(self):
        """S3 says nothing about write access before a write: a missing bucket or read access fails the read."""

    def write(self, name, document):
        self.clients.put_object(self.bucket, self.key(name), encode(document).encode("utf-8"))

    def delete(self, name):
        self.clients.delete_object(self.bucket, self.key(name))

    def claim_key(self, name):
        return self.prefix + CLAIMS + name + ".json"

    def claim_location(self, name):
        return "s3://%s/%s" % (self.bucket, self.claim_key(name))

    def read_claim_versioned(self, name):
        body, etag = self.clients.get_object_and_etag(self.bucket, self.claim_key(name))
        return (None, None) if body is None else (decode_claim(body, name, self.claim_location(name)), etag)

    def create_claim(self, name, claim):
        """PutObject with If-None-Match: * (S3's conditional write): false when the claim exists."""
        return self.clients.create_object(self.bucket, self.claim_key(name), encode_claim(claim).encode("utf-8"))

    def replace_claim(self, name, claim, version):
        """PutObject with If-Match on the ETag of the claim read (``version``): false when it changed."""
        return self.clients.replace_object(self.bucket, self.claim_key(name), encode_claim(claim).encode("utf-8"),
                                           version)

    def delete_claim(self, name, version=None):
        return self.clients.delete_object(self.bucket, self.claim_key(name), etag=version)

    def progress_key(self, name):
        return self.prefix + PROGRESS + name + ".json"

    def progress_location(self, name):
        return "s3://%s/%s" % (self.bucket, self.progress_key(name))

    def read_progress(self, name):
        body = self.clients.get_object(self.bucket, self.progress_key(name))
        return None if body is None else decode_progress(body, name)

    def write_progress(self, name, progress):
        self.clients.put_object(self.bucket, self.progress_key(name), encode_progress(progress).encode("utf-8"))

    def delete_progress(self, name):
        self.clients.delete_object(self.bucket, self.progress_key(name))


class DynamoDBStore(_ClaimReads):
    """One item per cluster in a table whose partition key is the string attribute ``cluster``.

    The document is kept as JSON text in ``checkpoint``; ``target_version``, ``run_id`` and ``updated_at``
    are copied next to it so the table can be read without parsing.
    """

    def __init__(self, clients, table):
        if not table:
            raise ModuleError("table is empty: set the DynamoDB table that keeps the checkpoints.")
        self.clients = clients
        self.table = table

    @staticmethod
    def key(name):
        return {DYNAMODB_KEY: {"S": name}}

    def location(self, name):
        return "dynamodb://%s/%s" % (self.table, name)

    def _call(self, method, name, *args, **kwargs):
        """``method`` of the clients on the item ``name``; a table of the wrong shape is explained."""
        try:
            return method(self.table, self.key(name), *args, **kwargs)
        except ModuleError as exc:
            if exc.error_code == "ValidationException":
                exc.message += (" (the table's partition key must be a string attribute named %r, with no sort key)"
                                % DYNAMODB_KEY)
                exc.args = (exc.message,)
            raise exc from None

    def _text(self, name, attribute):
        """The JSON text the item ``name`` keeps in ``attribute`` ("" when it has none), or None with no item."""
        item = self._call(self.clients.get_item, name)
        return None if item is None else (item.get(attribute) or {}).get("S", "")

    def read(self, name):
        text = self._text(name, DYNAMODB_DOCUMENT)
        if text is None:
            return None
        if not text:
            raise ModuleError("Checkpoint %s has no string attribute %r: the item was not written by lifecycle.eks, "
                              "which leaves it alone. Use another table, or remove the item yourself."
                              % (self.location(name), DYNAMODB_DOCUMENT))
        return decode(text, name, self.location(name))

    def check_writable(self):
        """DynamoDB says nothing about write access before a write: a missing table fails the read."""

    def write(self, name, document):
        attributes = {DYNAMODB_DOCUMENT: {"S": encode(document)}}
        for field in ("target_version", "run_id", "updated_at"):
            attributes[field] = {"S": document[field]}
        self._call(self.clients.put_item, name, attributes)

    def delete(self, name):
        self._call(self.clients.delete_item, name)

    def claim_location(self, name):
        return "dynamodb://%s/%s%s" % (self.table, CLAIMS, name)

    def read_claim_versioned(self, name):
        text = self._text(CLAIMS + name, DYNAMODB_CLAIM)
        return (None, None) if text is None else (decode_claim(text, name, self.claim_location(name)), text)

    @staticmethod
    def _claim_attributes(claim):
        return {DYNAMODB_CLAIM: {"S": encode_claim(claim)}, "run_id": {"S": claim["run_id"]},
                "holder": {"S": claim["holder"]}}

    def create_claim(self, name, claim):
        """PutItem on the condition that the item does not exist: false when the claim exists."""
        return self._call(self.clients.create_item, CLAIMS + name, self._claim_attributes(claim), DYNAMODB_KEY)

    def replace_claim(self, name, claim, version):
        """PutItem on the condition that the item still holds the claim read (``version``, its text)."""
        return self._call(self.clients.put_item, CLAIMS + name, self._claim_attributes(claim),
                          unless_changed=(DYNAMODB_CLAIM, {"S": version}))

    def delete_claim(self, name, version=None):
        return self._call(self.clients.delete_item, CLAIMS + name,
                          unless_changed=None if version is None else (DYNAMODB_CLAIM, {"S": version}))

    def progress_location(self, name):
        return "dynamodb://%s/%s%s" % (self.table, PROGRESS, name)

    def read_progress(self, name):
        text = self._text(PROGRESS + name, DYNAMODB_PROGRESS)
        return None if text is None else decode_progress(text, name)

    def write_progress(self, name, progress):
        attributes = {DYNAMODB_PROGRESS: {"S": encode_progress(progress)}, "run_id": {"S": progress["run_id"]},
                      "updated_at": {"S": progress["updated_at"]}}
        self._call(self.clients.put_item, PROGRESS + name, attributes)

    def delete_progress(self, name):
        self._call(self.clients.delete_item, PROGRESS + name)


def open_store(params, connect):
    """The store the module parameters name; ``connect()`` builds the AWS clients, for S3 and DynamoDB only."""
    backend = params["backend"]
    if backend == "local":
        return LocalStore(params["path"])
    if backend == "s3":
        return S3Store(connect(), params["bucket"], params["key_prefix"])
    if backend == "dynamodb":
        return DynamoDBStore(connect(), params["table"])
    raise ModuleError("Unknown checkpoint backend %r; choose one of: %s." % (backend, ", ".join(BACKENDS)))


def store_argument_spec():
    """Where a checkpoint is kept (doc fragment lifecycle.eks.checkpoint); AnsibleAWSModule adds the AWS options
    of S3 and DynamoDB."""
    return dict(
        cluster=dict(type="str", required=True),
        backend=dict(type="str", choices=list(BACKENDS), default="local"),
        path=dict(type="path"),
        bucket=dict(type="str"),
        key_prefix=dict(type="str", default=DEFAULT_KEY_PREFIX, no_log=False),
        table=dict(type="str"),
    )


# Each backend's own option; ``required_if`` of both checkpoint modules.
STORE_REQUIRED_IF = [("backend", "local", ["path"]), ("backend", "s3", ["bucket"]), ("backend", "dynamodb", ["table"])]


def run_with_store(module, body):
    """Open the store the options name, run ``body(module, store, name) -> result`` and exit; errors fail cleanly.

    ``module`` is an AnsibleAWSModule; AWS clients are built for the S3 and DynamoDB backends only, and their
    call counters go into the result.
    """
    opened = []

    def connect_aws():
        opened.append(Clients(module))
        return opened[0]

    try:
        name = validate_name(module.params["cluster"])
        result = body(module, open_store(module.params, connect_aws), name)
    except (ModuleError, VersionError) as exc:
        details = dict(getattr(exc, "details", {}) or {})
        if opened:
            details.update(opened[0].stats.as_dict())
        module.fail_json(msg=str(exc), **details)
    if opened:
        result.update(opened[0].stats.as_dict())
    module.exit_json(**result)
