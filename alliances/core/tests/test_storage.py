"""Media storage: files on an S3-compatible service, and a storage that fails on upload
(a full disk, an unreachable S3 service) → a clear 503 page, no orphan rows, no partial
file."""

import io
import resource
import signal
import socket
import urllib.request
from pathlib import Path

import pytest
from django.core.files.storage import storages
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from alliances.resources.models import Resource, ResourceFile, ResourceVersion
from alliances.resources.tests.test_contribution_pages import form_data

pytestmark = pytest.mark.django_db

BUCKET = "alliances-media"


def pdf_of(size: int) -> bytes:
    """A real PDF of about `size` bytes (a blank page and a padding stream)."""
    from pypdf import PdfWriter

    buffer = io.BytesIO()
    writer = PdfWriter()
    writer.add_blank_page(width=200, height=200)
    writer.add_metadata({"/Padding": "x" * size})
    writer.write(buffer)
    return buffer.getvalue()


def counts() -> tuple[int, int, int]:
    return (Resource.objects.count(), ResourceFile.objects.count(),
            ResourceVersion.objects.count())


def propose(client: Client, content: bytes):
    return client.post(reverse("resources:propose"),
                       form_data(files=[SimpleUploadedFile("guide.pdf", content)]))


@pytest.fixture
def media_dir(settings, tmp_path) -> Path:
    root = tmp_path / "media"
    settings.MEDIA_ROOT = root
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "alliances.core.storage.MediaFileSystemStorage",
        "OPTIONS": {"location": str(root)},
    }}
    return root


@pytest.fixture
def file_size_limit():
    """Writes past `limit` bytes fail with EFBIG, as on a full disk or over a quota (the
    kernel's RLIMIT_FSIZE; SIGXFSZ ignored so the write returns the error)."""
    previous_limit = resource.getrlimit(resource.RLIMIT_FSIZE)
    previous_handler = signal.signal(signal.SIGXFSZ, signal.SIG_IGN)

    def limit(size: int) -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (size, previous_limit[1]))

    yield limit
    resource.setrlimit(resource.RLIMIT_FSIZE, previous_limit)
    signal.signal(signal.SIGXFSZ, previous_handler)


def test_a_full_disk_on_upload_gives_a_clear_page_and_saves_nothing(
    participant, password, media_dir, file_size_limit
):
    client = Client(raise_request_exception=False)
    client.login(email=participant.email, password=password)
    before = counts()

    file_size_limit(64 * 1024)
    response = propose(client, pdf_of(200_000))
    file_size_limit(resource.RLIM_INFINITY)

    assert response.status_code == 503
    page = response.content.decode()
    assert "Le stockage des fichiers a refusé le fichier" in page
    assert counts() == before  # no resource, file row or version left behind
    assert [p for p in media_dir.rglob("*") if p.is_file()] == []  # no partial file

    # The disk has room again: the same upload goes through.
    assert propose(client, pdf_of(200_000)).status_code == 302
    assert counts() == (before[0] + 1, before[1] + 1, before[2] + 1)


@pytest.fixture
def s3_server():
    """An S3-compatible server on 127.0.0.1 (moto's), with an empty private bucket."""
    import boto3
    from moto.server import ThreadedMotoServer

    port = free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    endpoint = f"http://127.0.0.1:{port}"
    # moto keeps its buckets in the process, across servers: start from none.
    reset = urllib.request.Request(f"{endpoint}/moto-api/reset", method="POST")  # noqa: S310
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 (our http://127.0.0.1)
    boto3.client("s3", endpoint_url=endpoint, region_name="eu-west-3",
                 aws_access_key_id="test", aws_secret_access_key="test").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    yield endpoint
    server.stop()


def use_s3(settings, endpoint: str) -> None:
    settings.STORAGES = {**settings.STORAGES, "default": {
        "BACKEND": "alliances.core.storage.MediaS3Storage",
        "OPTIONS": {"bucket_name": BUCKET, "endpoint_url": endpoint, "region_name": "eu-west-3",
                    "access_key": "test", "secret_key": "test", "location": "media",
                    "default_acl": None, "file_overwrite": False},
    }}
    storages._storages.pop("default", None)  # built again from the new settings


def test_files_go_to_s3_and_are_served_back_through_the_platform(
    settings, s3_server, participant, password
):
    import boto3

    use_s3(settings, s3_server)
    client = Client()
    client.login(email=participant.email, password=password)
    content = pdf_of(30_000)

    assert propose(client, content).status_code == 302

    stored = ResourceFile.objects.get()
    keys = [item["Key"] for item in boto3.client(
        "s3", endpoint_url=s3_server, region_name="eu-west-3", aws_access_key_id="test",
        aws_secret_access_key="test").list_objects_v2(Bucket=BUCKET)["Contents"]]
    assert keys == [f"media/{stored.file.name}"]
    with stored.file.open("rb") as handle:
        assert handle.read() == content


def test_an_unreachable_s3_service_on_upload_gives_a_clear_page_and_saves_nothing(
    settings, participant, password
):
    use_s3(settings, f"http://127.0.0.1:{free_port()}")  # nothing listens there
    settings.STORAGES["default"]["OPTIONS"]["client_config"] = _no_retries()
    client = Client(raise_request_exception=False)
    client.login(email=participant.email, password=password)
    before = counts()

    response = propose(client, pdf_of(10_000))

    assert response.status_code == 503
    assert "Le stockage des fichiers a refusé le fichier" in response.content.decode()
    assert counts() == before


def _no_retries():
    from botocore.config import Config

    return Config(retries={"max_attempts": 1}, connect_timeout=2, read_timeout=2)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
