"""Media storage: the file system (default) or an S3-compatible service (MEDIA_STORAGE=s3),
both failing the same way.

A file that cannot be stored (a full disk, a quota, an unreachable or refusing S3 service)
raises StorageFailed. Uploads are stored inside the service's transaction, so the error
rolls the rows back; the 500 handler (core.views.server_error) answers with a 503 page
saying nothing was saved. On the file system, the part of the file written before the
failure is removed.
"""

import functools
import logging

from django.core.files.storage import FileSystemStorage

logger = logging.getLogger(__name__)


class StorageFailed(Exception):
    """A file could not be written to the media storage; nothing of it is kept."""


class MediaFileSystemStorage(FileSystemStorage):
    def _save(self, name, content):
        try:
            return super()._save(name, content)
        except OSError as error:
            # Storage.save() chose a free name: what is there now is our partial file.
            try:
                self.delete(name)
            except OSError:
                logger.warning("could not remove the partial file %s", name, exc_info=True)
            raise StorageFailed(f"{name}: {error}") from error


@functools.cache
def _s3_storage_class():
    from botocore.exceptions import BotoCoreError, ClientError
    from storages.backends.s3 import S3Storage

    class MediaS3Storage(S3Storage):
        # save(), not _save(): choosing a free name already asks the service.
        def save(self, name, content, max_length=None):
            try:
                return super().save(name, content, max_length=max_length)
            except (BotoCoreError, ClientError, OSError) as error:
                raise StorageFailed(f"{name}: {error}") from error

    return MediaS3Storage


def __getattr__(name: str):
    # botocore is imported only by the deployments that store media on S3.
    if name == "MediaS3Storage":
        return _s3_storage_class()
    raise AttributeError(name)
