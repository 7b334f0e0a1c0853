from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand

from network_center.demo import DEMO_LOGINS, DEMO_PASSWORD, load_demo


class Command(BaseCommand):
    help = "Загрузить демонстрационные данные (повторный запуск ничего не меняет)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--quiet-logins", action="store_true", help="Не печатать список демо-входов."
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Загрузить, только если в базе ещё нет ни одного пользователя.",
        )

    def handle(self, *args, **options):
        if options["if_empty"] and get_user_model().objects.exists():
            self.stdout.write("В базе уже есть данные: демонстрационные данные не загружались.")
        else:
            load_demo()
            self.stdout.write(self.style.SUCCESS("Демонстрационные данные загружены."))
        if not options["quiet_logins"]:
            self.stdout.write(f"Демо-входы (пароль для всех: {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:<16} {login.role_label}")
