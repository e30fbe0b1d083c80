"""The discussions' part of a person's data export (see accounts.gdpr): the threads they
started, their messages and attachments, the threads they follow.

On erasure, the messages stay in the cohort's conversations, signed by the deleted account
(no name): removing them would leave the others' answers without their question. What only
tracked the person (followed threads, read markers) goes.
"""

from typing import Any

from .models import Follow, Post, Thread, ThreadRead


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def gdpr_export(user) -> dict[str, Any]:
    return {
        "threads_started": [
            {"cohort": thread.cohort.name, "title": thread.title,
             "at": _iso(thread.created_at)}
            for thread in Thread.objects.filter(author=user)
            .select_related("cohort").order_by("created_at", "pk")
        ],
        "posts": [
            {
                "thread": post.thread.title,
                "message": post.body,
                "attachments": [attachment.name for attachment in post.attachments.all()],
                "at": _iso(post.created_at),
                "edited_at": _iso(post.edited_at),
                "hidden": post.hidden_at is not None,
            }
            for post in Post.objects.filter(author=user)
            .select_related("thread").prefetch_related("attachments")
            .order_by("created_at", "pk")
        ],
        "threads_followed": [
            follow.thread.title
            for follow in Follow.objects.filter(user=user)
            .select_related("thread").order_by("created_at", "pk")
        ],
    }


def gdpr_erase(user) -> None:
    Follow.objects.filter(user=user).delete()
    ThreadRead.objects.filter(user=user).delete()
