from django.core.management.base import BaseCommand, CommandError

from network_center.regiongen import REGION_NAME, RegionExists, Sizes, generate


class Command(BaseCommand):
    help = (
        "Сгенерировать область масштаба SPEC §8 («Генерируемая область») для нагрузочных "
        "измерений: муниципалитеты, школы, центры, планы за несколько лет, пользователей, "
        "значения мониторинга, подписанные документы."
    )

    def add_arguments(self, parser):
        defaults = Sizes()
        parser.add_argument(
            "--seed", type=int, default=1, help="Зерно генератора (по умолчанию 1)."
        )
        for name in ("municipalities", "schools", "centers", "years", "lines", "users", "values"):
            parser.add_argument(
                f"--{name}", type=int, default=None, help=f"По умолчанию {getattr(defaults, name)}."
            )
        parser.add_argument(
            "--pdfs",
            type=int,
            default=None,
            help=f"Сколько PDF подписанных актов сохранить (по умолчанию {defaults.pdfs}).",
        )
        parser.add_argument(
            "--small",
            action="store_true",
            help="Десятая часть каждого размера по умолчанию (годы те же).",
        )
        parser.add_argument(
            "--replace",
            action="store_true",
            help=f"Удалить прежнюю «{REGION_NAME}» перед генерацией.",
        )

    def handle(self, *args, **options):
        sizes = Sizes().tenth() if options["small"] else Sizes()
        given = {
            name: options[name]
            for name in (
                "municipalities",
                "schools",
                "centers",
                "years",
                "lines",
                "users",
                "values",
                "pdfs",
            )
            if options[name] is not None
        }
        for name, value in given.items():
            if value < (1 if name in ("municipalities", "years") else 0):
                raise CommandError(f"--{name}: слишком мало ({value}).")
        sizes = Sizes(**{**sizes.__dict__, **given})
        if sizes.centers > sizes.schools or sizes.municipalities > sizes.schools:
            raise CommandError("Школ должно быть не меньше, чем центров и муниципалитетов.")
        self.stdout.write(f"Генерация «{REGION_NAME}», зерно {options['seed']}: {sizes}")
        try:
            generate(
                sizes, options["seed"], out=self.stdout.write, replace_existing=options["replace"]
            )
        except RegionExists as exc:
            raise CommandError(
                f"«{exc}» уже есть в базе. Запустите с --replace, чтобы сгенерировать её заново."
            ) from exc
        self.stdout.write(self.style.SUCCESS("Готово."))
