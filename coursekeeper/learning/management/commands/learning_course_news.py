"""`manage.py learning_course_news`: send course news whose sending did not finish.

The safety net under the sending task (the scheduler runs it every five minutes). A rerun never
sends a learner the same news twice.
"""

from __future__ import annotations

from django.core.management.base import BaseCommand

from coursekeeper.learning.news import send_lost_course_news


class Command(BaseCommand):
    help = "Send the course news whose sending did not finish."

    def handle(self, *args, **options):
        count = send_lost_course_news()
        if options["verbosity"] >= 1:
            self.stdout.write(f"course news sent again: {count}")
