"""Tasks of the learning app; each carries only a row id and calls a service."""

from __future__ import annotations

from django_tasks import task

from coursekeeper.learning import news


@task()
def send_course_news_task(news_id: int) -> None:
    """Queue the emails of course news `news_id`; safe to run more than once."""
    news.send_course_news(news_id=news_id)
