"""A file storage that breaks on its second save: a restore interrupted half-way through the files."""

from django.core.files.storage import FileSystemStorage


class FailsOnSecondSave(FileSystemStorage):
    saves = 0

    def _save(self, name, content):
        type(self).saves += 1
        if type(self).saves >= 2:
            raise OSError("disk full (simulated)")
        return super()._save(name, content)
