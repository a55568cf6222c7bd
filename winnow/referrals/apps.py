from django.apps import AppConfig


class ReferralsConfig(AppConfig):
    name = "winnow.referrals"
    label = "referrals"
    verbose_name = "Referrals"
