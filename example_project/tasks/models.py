from django.conf import settings
from django.db import models


class Task(models.Model):
    """A to-do item; each one belongs to the user who created it and only that user sees it."""

    title = models.CharField(max_length=200)
    description = models.TextField(blank=True, default="", max_length=2000)
    completed = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tasks"
    )

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            # Every query filters on the owner; the list is newest first: one index serves both.
            models.Index(fields=["created_by", "-created_at"], name="task_owner_created_idx"),
            models.Index(fields=["created_at"], name="task_created_idx"),
        ]

    def __str__(self) -> str:
        return self.title
