"""Creates one demo user per role for every programme. Demo only: never run in production."""

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from indicators.models import Membership, Programme

DEMO_PASSWORD = "cse-demo-2011"  # noqa: S105 - printed and documented demo password, refused in production
DEMO_USERS = {
    "admin": Membership.Role.ADMIN,
    "reviewer": Membership.Role.REVIEWER,
    "staff": Membership.Role.STAFF,
    "emcl": Membership.Role.EMCL,
}


class Command(BaseCommand):
    help = "Create the demo users admin, reviewer, staff and emcl (demo only)."

    def handle(self, *args, **options):
        if getattr(settings, "PRODUCTION", False):
            raise CommandError("Demo users are never created with DJANGO_ENV=production.")
        User = get_user_model()
        programmes = list(Programme.objects.all())
        for username, role in DEMO_USERS.items():
            user, created = User.objects.get_or_create(username=username)
            if created:
                user.set_password(DEMO_PASSWORD)
            user.is_staff = role == Membership.Role.ADMIN
            user.is_superuser = role == Membership.Role.ADMIN
            user.save()
            for programme in programmes:
                Membership.objects.update_or_create(
                    user=user,
                    programme=programme,
                    defaults={"role": role, "all_scope": role == Membership.Role.STAFF},
                )
        names = ", ".join(DEMO_USERS)
        self.stdout.write(f"Demo users: {names} — password: {DEMO_PASSWORD}")
