"""Daily beat jobs that Redis being down at their time must not lose.

Celery beat sends each daily job once, at its time (in CELERY_TIMEZONE); if the broker is down
then, beat logs the failure and waits for the next day. So a daily job that works per program
claims a `DailyJobRun` row for each program and program-date, in the same transaction as the
outbox row of that program's task (`queue_daily_for_each_program`), and the outbox sweep
(every minute, and when a worker starts) sends the job again for the programs whose row is
missing once its time has passed (`catch_up_missed`). However often a job is sent, a program
gets its task once a program-date; the per-recipient sent markers make each email go once.

Only the day the beat missed is caught up, for programs still on the date they had at the
job's time: a program whose day has ended since gets the next day's run, which lists what is
still due.
"""

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from celery import Task
from celery.schedules import crontab
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import transaction
from django.utils import timezone

from accounts import outbox
from accounts.models import DailyJobRun, Program, QueuedTask

# The beat's own send is normally run within seconds; the sweep leaves it that long first,
# and sends a job again at most once in this time while the first catch-up waits to run.
CATCH_UP_AFTER = timedelta(minutes=5)


def queue_daily_for_each_program(
    task: Task, *, job: str, program_ids: list[int] | None = None
) -> int:
    """Queue `task(program_id)` for each program (or those of `program_ids`) that has not had
    `job` on its today, claiming that program-date with the outbox row; returns how many."""
    programs = Program.objects.order_by("pk")
    if program_ids is not None:
        programs = programs.filter(pk__in=program_ids)
    queued = 0
    for program in programs:
        with transaction.atomic():
            _run, claimed = DailyJobRun.objects.get_or_create(
                job=job, program=program, day=program.today()
            )
            if claimed:
                outbox.queue_after_commit(task, program.pk)
                queued += 1
    return queued


def catch_up_missed() -> int:
    """Send again, through the outbox, each daily job whose time passed without its run for
    programs still on that time's date, for those programs only; returns how many jobs."""
    now = timezone.now()
    programs = list(Program.objects.order_by("pk"))
    sent = 0
    for job, due_at in _last_due_times(now):
        if now - due_at < CATCH_UP_AFTER:
            continue
        dates = {
            program.pk: due_at.astimezone(program.tzinfo).date()
            for program in programs
            if due_at.astimezone(program.tzinfo).date() == program.today()
        }
        done = set(
            DailyJobRun.objects.filter(
                job=job, program_id__in=dates, day__in=set(dates.values())
            ).values_list("program_id", "day")
        )
        missed = [pk for pk, day in dates.items() if (pk, day) not in done]
        if not missed or _caught_up_lately(job, now):
            continue
        with transaction.atomic():
            outbox.queue_after_commit(outbox.task_named(job), missed)
        sent += 1
    return sent


def _caught_up_lately(job: str, now: datetime) -> bool:
    """Whether a catch-up of `job` was queued within CATCH_UP_AFTER (it may wait to run)."""
    return QueuedTask.objects.filter(task_name=job, created_at__gte=now - CATCH_UP_AFTER).exists()


def _last_due_times(now: datetime) -> list[tuple[str, datetime]]:
    """(task name, the last time beat was due to send it) for every daily job caught up."""
    zone = ZoneInfo(settings.CELERY_TIMEZONE)
    local_now = now.astimezone(zone)
    due = []
    for name in settings.DAILY_JOBS_CAUGHT_UP:
        entry = settings.CELERY_BEAT_SCHEDULE[name]
        at = _daily_time(name, entry["schedule"])
        due_at = datetime.combine(local_now.date(), at, tzinfo=zone)
        if due_at > local_now:
            due_at = datetime.combine(local_now.date() - timedelta(days=1), at, tzinfo=zone)
        due.append((entry["task"], due_at))
    return due


def _daily_time(name: str, schedule) -> time:
    every_day = (
        isinstance(schedule, crontab)
        and len(schedule.hour) == 1
        and len(schedule.minute) == 1
        and len(schedule.day_of_week) == 7
        and len(schedule.day_of_month) == 31
        and len(schedule.month_of_year) == 12
    )
    if not every_day:
        raise ImproperlyConfigured(f"{name} is caught up, so it must run once a day at one time.")
    (hour,), (minute,) = schedule.hour, schedule.minute
    return time(hour, minute)
