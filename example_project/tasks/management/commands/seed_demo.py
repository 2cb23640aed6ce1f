"""``manage.py seed_demo``: demo users, their tasks and a token, then how to call the API.

Idempotent for users and tasks: running it again creates none. Each run issues
alice a new token and prints it: tokens are stored hashed (drf_hardening.tokens),
so no token can be shown a second time. Earlier ones keep working until they
expire (``TOKEN_TTL``) or pass ``TOKEN_MAX_PER_USER``. It refuses to run under
the production profile, because its passwords are public.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from drf_hardening.conf import conf
from drf_hardening.tokens import issue_token
from tasks.models import Task

#: username -> (password, [(title, description, completed), ...]). Published in docs/example.md.
DEMO_USERS = {
    "alice": (
        "alice-demo-pass-7391",
        [
            ("Read the drf hardening walkthrough", "docs/walkthrough.md, step by step.", False),
            ("Try the Swagger UI", "Open /api/docs/ and press Authorize.", False),
            (
                "Run the Postman collection",
                "npm ci then npm test in example_project/postman.",
                True,
            ),
        ],
    ),
    "bob": (
        "bob-demo-pass-2864",
        [("Bob private task", "Alice gets a 404 for this one.", False)],
    ),
}


class Command(BaseCommand):
    help = "Create the demo users and tasks (idempotent); print the URLs, a token and a curl."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--base-url",
            default="http://127.0.0.1:8000",
            help="Where the server will answer (default: %(default)s, as `make demo`).",
        )

    def handle(self, *args: Any, base_url: str, **options: Any) -> None:
        if conf.PROFILE == "production":
            raise CommandError(
                "seed_demo creates users with published passwords: it does not run under the "
                "production profile (DRF_HARDENING_PROFILE=production)."
            )
        created_users, created_tasks = self.seed()
        _, token = issue_token(get_user_model().objects.get(username="alice"), name="seed_demo")
        base = base_url.rstrip("/")
        password = DEMO_USERS["alice"][0]
        self.stdout.write(
            f"Demo data: {created_users} user(s) and {created_tasks} task(s) created "
            f"(users: {', '.join(DEMO_USERS)}).\n"
            f"  API:       {base}/\n"
            f"  Docs:      {base}/api/docs/   (ReDoc: {base}/api/redoc/)\n"
            f"  Login:     alice / {password}\n"
            f"  Token:     {token}\n"
            f"Try it:\n"
            f'  curl -H "Authorization: Token {token}" {base}/api/tasks/\n'
        )

    @transaction.atomic
    def seed(self) -> tuple[int, int]:
        user_model = get_user_model()
        created_users = created_tasks = 0
        for username, (password, tasks) in DEMO_USERS.items():
            user, created = user_model.objects.get_or_create(username=username)
            if created:
                user.set_password(password)
                user.save(update_fields=["password"])
                created_users += 1
            for title, description, completed in tasks:
                _, created = Task.objects.get_or_create(
                    created_by=user,
                    title=title,
                    defaults={"description": description, "completed": completed},
                )
                created_tasks += created
        return created_users, created_tasks
